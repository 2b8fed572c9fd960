#include "core/Report.hpp"

#include <cmath>

#include "core/FileName.hpp"

namespace sot {

using nlohmann::json;

namespace {
std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v) {
      if (!out.empty()) out += ", ";
      out += e.is_string() ? "«" + e.get<std::string>() + "»" : value_text(e);
    }
    return out.empty() ? "—" : out;
  }
  if (v.is_null()) return "—";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace

std::string render_message(std::string_view t, const Finding& f) {
  std::string out;
  out.reserve(t.size() + 64);
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] == '{') {
      const size_t close = t.find('}', i + 1);
      if (close != std::string_view::npos) {
        const std::string key(t.substr(i + 1, close - i - 1));
        if (key == "file") {
          out += f.file ? *f.file : "—";
        } else if (key == "page") {
          out += f.page ? std::to_string(*f.page) : "—";
        } else if (f.detail.is_object() && f.detail.contains(key)) {
          out += value_text(f.detail.at(key));
        } else {
          out += "—";
        }
        i = close + 1;
        continue;
      }
    }
    out += t[i++];
  }
  return out;
}

json make_report(const PipelineResult& r, const rules::RuleSet& rules, std::int32_t offset_minutes,
                 std::optional<std::string> registration_number) {
  json findings = json::array();
  for (const auto& rf : r.findings) {
    const Finding& f = rf.finding;
    json j = {{"code", f.code}, {"severity", to_string(rf.severity)}, {"stage", f.stage}};
    j["file"] = f.file ? json(*f.file) : json(nullptr);
    j["page"] = f.page ? json(*f.page) : json(nullptr);
    j["detail"] = f.detail;
    if (const rules::CodeRule* rule = rules.code(f.code)) {
      j["message"] = {{"kk", render_message(rule->message.kk, f)},
                      {"ru", render_message(rule->message.ru, f)}};
    } else {
      j["message"] = {{"kk", f.code}, {"ru", f.code}};
    }
    findings.push_back(std::move(j));
  }
  json documents = json::array();
  for (const auto& d : r.documents) {
    documents.push_back({{"file", d.file},
                         {"format", d.format},
                         {"pages", d.pages ? json(*d.pages) : json(nullptr)},
                         {"page_facts", d.page_facts},
                         {"bytes", d.bytes},
                         {"sha256", d.sha256 ? json(*d.sha256) : json(nullptr)}});
  }
  json report = {
      {"bundle", r.bundle_id},
      {"submission_id", r.submission_id ? json(*r.submission_id) : json(nullptr)},
      {"outcome", to_string(r.outcome)},
      {"registration_number", registration_number ? json(*registration_number) : json(nullptr)},
      {"findings", std::move(findings)},
      {"documents", std::move(documents)},
      {"rules_version", rules.version},
      {"processed_at", format_rfc3339(r.processed_at, offset_minutes)},
      {"duration_ms", r.duration.count()}};
  if (!r.stage_ms.empty()) {
    json stages = json::object();
    for (const auto& [name, ms] : r.stage_ms) stages[name] = std::round(ms * 10) / 10;
    report["stage_ms"] = std::move(stages);
  }
  for (const auto& [name, section] : r.sections.items())
    if (!report.contains(name)) report[name] = section;
  return report;
}

}  // namespace sot
