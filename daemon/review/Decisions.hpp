// Clerks' decisions on bundles in review/: register (number + receipt), reject (reasons
// chosen among the codes + free text → notice), reprocess (back to incoming/). Used by the
// review UI and by `sot-intake review`; the daemon need not run.
//
// A decided bundle moves exactly like an automatic outcome: it is claimed by rename into
// deciding/ (two clerks cannot decide one bundle; the one who loses writes nothing at all),
// the registration number, the decision with its exact report and the audit entry are
// committed to the registry, result/report.json and the notice or receipt are written
// durably, the bundle is renamed into registered/ or rejected/, and the registry records it
// done. A crash at any point is finished (from the committed decision) or undone at the
// daemon's next start (Service's recovery).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/Config.hpp"
#include "outcome/Signer.hpp"
#include "registry/Registry.hpp"
#include "rules/RuleSet.hpp"
#include "spool/Spool.hpp"

namespace sot::review {

struct Decision {
  std::string placed_as;           // its name in review/
  std::string action;              // "register", "reject" or "reprocess"
  std::string actor;               // who decides (a clerk's login)
  std::vector<std::string> codes;  // reject: the reasons (codes the rules define)
  std::string note;                // free text for the filer (shown in the notice)
  std::string file;                // reject: the document the reasons concern ("" none)
};

struct DecisionResult {
  bool ok = false;
  std::string error;  // why not, for the clerk
  std::string outcome;
  std::string placed_as;  // its name in the outcome directory
  std::string registration_number;
};

// One bundle waiting for a clerk, for the queue view.
struct ReviewItem {
  std::string placed_as;
  std::string bundle;
  std::string submission_id;
  std::string court;
  std::string kind;
  std::string filer;
  std::string received_at;  // from the registry, else the report's processed_at
  double age_hours = 0;
  std::vector<std::string> reasons;  // codes of the review and reject findings
  std::string assignee;
};

// Codes that say what the court could not do (check the bundle, reach a CRL, verify an
// algorithm), not what the filer did wrong: never a reason a clerk confirms against the filer.
bool is_court_side(std::string_view code);

// Hours from an RFC 3339 time to now (0 when it cannot be read).
double hours_since(const std::string& rfc3339);
// One bundle of review/ as the queue lists it (its assignee left empty).
ReviewItem review_item(spool::Spool& spool, registry::Registry& registry,
                       const std::filesystem::path& dir);

class Decisions {
 public:
  Decisions(spool::Spool& spool, registry::Registry& registry, const Config& config,
            const rules::RuleSet& rules);

  std::vector<ReviewItem> queue();
  // Everything the bundle page shows: the report, the manifest's filing facts, the audit trail
  // and the registry's transitions. nullopt when not in review/.
  std::optional<nlohmann::json> show(const std::string& placed_as);
  DecisionResult decide(const Decision& d);

  // Replaces the outcome of `placed_as` in `from`/ with the one `report` names (numbering it
  // when registered, writing the notice or receipt), audited as `action` by `actor`.
  // Batch reprocessing applies its changes through this.
  DecisionResult change_outcome(const std::string& placed_as, Outcome from, nlohmann::json report,
                                const std::string& actor, const std::string& action,
                                const nlohmann::json& detail);

  // Codes a clerk may give as rejection reasons (those whose default severity is reject).
  std::vector<std::string> rejection_codes() const;
  // … for this bundle: those, and every code the check found in it (review or reject).
  std::vector<std::string> reasons_for(const nlohmann::json& report) const;
  // The codes of a report's review and reject findings, in their order, once each (the court's
  // own failures left out).
  static std::vector<std::string> found_codes(const nlohmann::json& report);

 private:
  spool::Spool& spool_;
  registry::Registry& registry_;
  const Config& config_;
  const rules::RuleSet& rules_;
  std::shared_ptr<const outcome::OutcomeSigner> signer_;  // receipts and notices signed
};

}  // namespace sot::review
