#include "outcome/Status.hpp"

#include "outcome/Resubmission.hpp"
#include "rules/RuleSet.hpp"

namespace sot::outcome {

namespace {

std::string status_of(const registry::BundleRecord& r) {
  if (r.state == "decided") return r.outcome;
  if (r.state == "received") return "received";
  return "checking";  // processing, numbered: the checks have started
}

nlohmann::json local(const rules::RuleSet& rules, const std::string& key) {
  const auto it = rules.notice_texts.find(key);
  if (it == rules.notice_texts.end()) return {{"kk", key}, {"ru", key}};
  return {{"kk", it->second.kk}, {"ru", it->second.ru}};
}

}  // namespace

std::optional<nlohmann::json> filer_status(registry::Registry& registry,
                                           const std::string& submission_id,
                                           const rules::RuleSet& rules) {
  if (submission_id.empty()) return std::nullopt;
  const auto records = registry.by_submission(submission_id);
  if (records.empty()) return std::nullopt;
  const registry::BundleRecord& r = records.front();
  const std::string status = status_of(r);
  const std::string manifest = registry.acknowledged_manifest(r.id);
  nlohmann::json reasons = nlohmann::json::array();
  if (status == "rejected" && r.report.is_object()) {
    for (const auto& f : r.report.value("findings", nlohmann::json::array())) {
      if (!f.is_object() || f.value("severity", "") != "reject") continue;
      nlohmann::json reason = {{"code", f.value("code", "")},
                               {"file", f.contains("file") ? f["file"] : nullptr},
                               {"page", f.contains("page") ? f["page"] : nullptr},
                               {"message", f.value("message", nlohmann::json::object())}};
      if (const rules::CodeRule* rule = rules.code(f.value("code", "")))
        reason["action"] = {{"kk", rule->action.kk}, {"ru", rule->action.ru}};
      reasons.push_back(std::move(reason));
    }
  }
  nlohmann::json out = {
      {"submission_id", submission_id},
      {"status", status},
      {"status_text", local(rules, "status_" + status)},
      {"bundle", r.id},
      {"registration_number", r.registration_number.empty() || status != "registered"
                                  ? nlohmann::json(nullptr)
                                  : nlohmann::json(r.registration_number)},
      {"received_at", r.received_at},
      {"manifest_sha256", manifest.empty() ? nlohmann::json(nullptr) : nlohmann::json(manifest)},
      {"updated_at", r.updated_at},
      {"reasons", std::move(reasons)},
      {"deliveries", records.size()}};
  // The chain of resubmissions (spec §5.2): what this one cures, what cured it.
  nlohmann::json chain = resubmission_chain(registry, submission_id, r.report);
  if (!chain["resubmission_of"].is_null() || !chain["resubmitted_as"].empty())
    out["resubmission"] = std::move(chain);
  return out;
}

std::string format_status(const nlohmann::json& s) {
  std::string out;
  const auto text = s.value("status_text", nlohmann::json::object());
  out += s.value("submission_id", "") + ": " + text.value("kk", "") + " / " + text.value("ru", "") +
         " (" + s.value("status", "") + ")\n";
  if (s.contains("registration_number") && s["registration_number"].is_string())
    out += "  № " + s["registration_number"].get<std::string>() + "\n";
  out += "  bundle " + s.value("bundle", "") + ", received " + s.value("received_at", "") +
         ", updated " + s.value("updated_at", "") + "\n";
  if (s.contains("resubmission")) {
    const auto& c = s["resubmission"];
    if (c["resubmission_of"].is_object()) {
      const auto& of = c["resubmission_of"];
      out += "  resubmission of " + of.value("submission_id", "") + " (" + of.value("status", "") +
             ")";
      if (of.contains("reasons_gone")) {
        std::string gone, remaining;
        for (const auto& r : of["reasons_gone"])
          gone += (gone.empty() ? "" : ", ") + r.value("code", "");
        for (const auto& r : of["reasons_remaining"])
          remaining += (remaining.empty() ? "" : ", ") + r.value("code", "");
        out += ": cured " + (gone.empty() ? std::string("-") : gone) + "; remaining " +
               (remaining.empty() ? std::string("-") : remaining);
      }
      out += "\n";
    }
    for (const auto& r : c["resubmitted_as"])
      out +=
          "  resubmitted as " + r.value("submission_id", "") + " (" + r.value("status", "") + ")\n";
  }
  for (const auto& r : s.value("reasons", nlohmann::json::array())) {
    std::string where;
    if (r.contains("file") && r["file"].is_string()) where = r["file"].get<std::string>();
    if (r.contains("page") && r["page"].is_number())
      where += ", " + std::to_string(r["page"].get<int>());
    const auto msg = r.value("message", nlohmann::json::object());
    out += "  - " + r.value("code", "") + (where.empty() ? "" : " [" + where + "]") + "\n";
    out += "    kk: " + msg.value("kk", "") + "\n    ru: " + msg.value("ru", "") + "\n";
    if (r.contains("action")) {
      out +=
          "    → " + r["action"].value("kk", "") + "\n    → " + r["action"].value("ru", "") + "\n";
    }
  }
  return out;
}

}  // namespace sot::outcome
