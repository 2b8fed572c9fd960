#include "core/EarlierFiling.hpp"

namespace sot {

using nlohmann::json;

namespace {

json opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

std::optional<std::string> opt_string(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

json to_json(const EarlierFiling& e) {
  json reasons = json::array();
  for (const auto& r : e.reasons) reasons.push_back({{"code", r.code}, {"file", r.file}});
  return {{"submission_id", e.submission_id},
          {"looked_up", e.looked_up},
          {"status", e.status},
          {"bundle", e.bundle},
          {"refused_at", e.refused_at ? json(format_rfc3339(*e.refused_at, 0)) : json(nullptr)},
          {"submitted_at", e.submitted_at ? json(format_rfc3339(e.submitted_at->utc,
                                                                e.submitted_at->offset_minutes))
                                          : json(nullptr)},
          {"filer_iin", opt(e.filer_iin)},
          {"filer_bin", opt(e.filer_bin)},
          {"reasons", std::move(reasons)}};
}

EarlierFiling earlier_filing_from_json(const json& j) {
  EarlierFiling e;
  e.submission_id = j.at("submission_id").get<std::string>();
  e.looked_up = j.at("looked_up").get<bool>();
  e.status = j.at("status").get<std::string>();
  e.bundle = j.value("bundle", std::string());
  if (auto t = opt_string(j, "refused_at"))
    if (auto ts = parse_rfc3339(*t)) e.refused_at = ts->utc;
  if (auto t = opt_string(j, "submitted_at")) e.submitted_at = parse_rfc3339(*t);
  e.filer_iin = opt_string(j, "filer_iin");
  e.filer_bin = opt_string(j, "filer_bin");
  if (const auto it = j.find("reasons"); it != j.end() && it->is_array())
    for (const auto& r : *it)
      e.reasons.push_back({r.at("code").get<std::string>(), r.value("file", std::string())});
  return e;
}

std::optional<ResubmissionProblem> resubmission_problem(const EarlierFiling& e, const Manifest& m) {
  if (e.submission_id == m.submission_id)
    return ResubmissionProblem{"itself", "the submission names itself as the filing it cures"};
  if (!e.looked_up)
    return ResubmissionProblem{"not_verifiable",
                               "no registry of earlier filings was available to this check"};
  if (e.status == "unknown")
    return ResubmissionProblem{"unknown", "no filing with this submission id is in the registry"};
  if (e.status == "registered")
    return ResubmissionProblem{"registered",
                               "that filing was registered, not refused: there is nothing to cure"};
  if (e.status == "review" || e.status == "pending")
    return ResubmissionProblem{"not_decided", "that filing has not been decided yet"};
  if (e.status != "rejected")
    return ResubmissionProblem{"unknown", "that filing's state is not known: " + e.status};
  // Another filer's: the identity that signs (IIN of an individual, BIN of a legal entity)
  // must be the same. An earlier record without the filer's identity cannot show otherwise.
  const auto differs = [](const std::optional<std::string>& a,
                          const std::optional<std::string>& b) { return a && b && *a != *b; };
  const bool entity = m.filer.kind == "legal_entity";
  if (entity
          ? differs(e.filer_bin, m.filer.bin) || (!e.filer_bin && differs(e.filer_iin, m.filer.iin))
          : differs(e.filer_iin, m.filer.iin))
    return ResubmissionProblem{"other_filer", "that filing was made by another filer"};
  return std::nullopt;
}

std::optional<Timestamp> deadline_counted_from(const EarlierFiling& e, const Manifest& m,
                                               SysSeconds arrival, int cure_window_days,
                                               std::string* why) {
  auto fail = [&](std::string w) -> std::optional<Timestamp> {
    if (why) *why = std::move(w);
    return std::nullopt;
  };
  if (auto p = resubmission_problem(e, m)) return fail(p->text);
  if (!e.refused_at) return fail("the registry does not say when that filing was refused");
  if (!e.submitted_at) return fail("the registry does not hold that filing's submitted_at");
  if (cure_window_days < 0) return fail("the rules set no cure window");
  const auto window = std::chrono::days(cure_window_days);
  if (arrival > *e.refused_at + window)
    return fail("this filing arrived more than " + std::to_string(cure_window_days) +
                " days after the refusal");
  return e.submitted_at;
}

}  // namespace sot
