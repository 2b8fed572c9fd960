// What the registry knows about the filing a bundle says it cures (spec §5.2,
// `resubmission_of`). The checks run in a sandboxed worker that cannot read the registry, so
// the daemon (or `check`) looks the earlier filing up first and hands this over with the
// bundle; the resubmission and deadline stages judge from it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Manifest.hpp"
#include "core/Time.hpp"

namespace sot {

struct EarlierFiling {
  std::string submission_id;  // what resubmission_of named
  // False when there was no registry to ask (a one-off check outside a spool): the filing is
  // then unknown to this checker, and a clerk confirms it.
  bool looked_up = false;
  // unknown | rejected | registered | review (decided for a clerk, not yet by one) | pending
  // (received, still being checked)
  std::string status = "unknown";
  std::string bundle = {};                               // the registry's bundle id of that filing
  std::optional<SysSeconds> refused_at = std::nullopt;   // when it was rejected
  std::optional<Timestamp> submitted_at = std::nullopt;  // its manifest's submitted_at
  std::optional<std::string> filer_iin = std::nullopt;   // its manifest's filer
  std::optional<std::string> filer_bin = std::nullopt;
  // Its reasons: the codes of its reject and review findings with their files.
  struct Reason {
    std::string code;
    std::string file;  // "" for the bundle as a whole
  };
  std::vector<Reason> reasons = {};
};

nlohmann::json to_json(const EarlierFiling& e);
// Throws nlohmann::json::exception on a malformed object (the daemon made it).
EarlierFiling earlier_filing_from_json(const nlohmann::json& j);

// Why the manifest's resubmission_of cannot be accepted — the filing is unknown (or could not
// be looked up), registered, not yet decided, another filer's, or this very submission — as a
// machine word (`reason`) and a sentence; nullopt when it names this filer's refused filing.
struct ResubmissionProblem {
  std::string reason;  // unknown | not_verifiable | registered | not_decided | other_filer | itself
  std::string text;
};
std::optional<ResubmissionProblem> resubmission_problem(const EarlierFiling& e, const Manifest& m);

// When the cure window applies — a valid resubmission (no problem above) that arrived within
// `cure_window_days` of the refusal — the instant the statutory deadline is counted from: the
// earlier filing's submitted_at. nullopt otherwise, with why.
std::optional<Timestamp> deadline_counted_from(const EarlierFiling& e, const Manifest& m,
                                               SysSeconds arrival, int cure_window_days,
                                               std::string* why = nullptr);

}  // namespace sot
