#include "outcome/Resubmission.hpp"

#include "spool/Spool.hpp"

namespace sot::outcome {

namespace {

std::string status_word(const registry::BundleRecord& r) {
  if (r.state != "decided") return "pending";
  return r.outcome.empty() ? std::string("pending") : r.outcome;
}

std::optional<std::string> string_at(const nlohmann::json& j,
                                     const nlohmann::json::json_pointer& p) {
  if (!j.contains(p)) return std::nullopt;
  const auto& v = j.at(p);
  if (!v.is_string()) return std::nullopt;
  return v.get<std::string>();
}

}  // namespace

EarlierFiling lookup_earlier(registry::Registry& registry, const std::string& submission_id,
                             const std::string& except_bundle) {
  EarlierFiling e;
  e.submission_id = submission_id;
  e.looked_up = true;
  std::vector<registry::BundleRecord> records;
  for (auto& r : registry.by_submission(submission_id))
    if (r.id != except_bundle) records.push_back(std::move(r));
  if (records.empty()) return e;                          // unknown
  const registry::BundleRecord* pick = &records.front();  // newest delivery
  for (const auto& r : records)
    if (r.state == "decided" && r.outcome == "registered") pick = &r;
  e.bundle = pick->id;
  e.status = status_word(*pick);
  if (e.status == "rejected") {
    if (auto t = parse_rfc3339(pick->updated_at)) e.refused_at = t->utc;
  }
  const nlohmann::json& report = pick->report;
  if (report.is_object()) {
    using ptr = nlohmann::json::json_pointer;
    if (auto t = string_at(report, ptr("/filing/submitted_at"))) e.submitted_at = parse_rfc3339(*t);
    e.filer_iin = string_at(report, ptr("/filing/filer/iin"));
    e.filer_bin = string_at(report, ptr("/filing/filer/bin"));
    for (const auto& f : report.value("findings", nlohmann::json::array())) {
      if (!f.is_object()) continue;
      const std::string sev = f.value("severity", "");
      if (sev != "reject" && sev != "review") continue;
      e.reasons.push_back(
          {f.value("code", std::string()), f.contains("file") && f["file"].is_string()
                                               ? f["file"].get<std::string>()
                                               : std::string()});
    }
  }
  return e;
}

RunInputs run_inputs_for(registry::Registry* registry, const std::filesystem::path& dir,
                         const std::string& bundle_id, std::uint64_t manifest_max_bytes,
                         std::optional<SysSeconds> arrival) {
  RunInputs in;
  in.arrival = arrival;
  const ManifestParseResult peek = spool::peek_manifest(dir, manifest_max_bytes);
  if (!peek.resubmission_of) return in;
  if (registry) {
    in.earlier = lookup_earlier(*registry, *peek.resubmission_of, bundle_id);
  } else {
    EarlierFiling e;
    e.submission_id = *peek.resubmission_of;
    e.looked_up = false;
    in.earlier = std::move(e);
  }
  return in;
}

nlohmann::json resubmission_chain(registry::Registry& registry, const std::string& submission_id,
                                  const nlohmann::json& report) {
  nlohmann::json out = {{"resubmission_of", nullptr}, {"resubmitted_as", nlohmann::json::array()}};
  if (report.is_object()) {
    using ptr = nlohmann::json::json_pointer;
    if (auto of = string_at(report, ptr("/filing/resubmission_of"))) {
      nlohmann::json link = {{"submission_id", *of}, {"status", "unknown"}, {"bundle", nullptr}};
      const auto earlier = registry.by_submission(*of);
      if (!earlier.empty()) {
        link["status"] = status_word(earlier.front());
        link["bundle"] = earlier.front().id;
      }
      if (report.contains("resubmission") && report["resubmission"].is_object()) {
        const auto& s = report["resubmission"];
        for (const char* k : {"valid", "reasons_gone", "reasons_remaining", "reasons_new",
                              "within_cure_window", "deadline_counted_from"})
          if (s.contains(k)) link[k] = s[k];
      }
      out["resubmission_of"] = std::move(link);
    }
  }
  if (!submission_id.empty())
    for (const auto& r : registry.resubmissions_of(submission_id))
      out["resubmitted_as"].push_back(
          {{"submission_id", r.submission_id}, {"bundle", r.id}, {"status", status_word(r)}});
  return out;
}

}  // namespace sot::outcome
