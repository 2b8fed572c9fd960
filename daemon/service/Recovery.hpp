// The registry is the state of record (see Registry.hpp): what the daemon, a clerk or an
// applied reprocessing decided is committed there first, and only then written into the
// bundle's result/ and moved. These are the steps after the commit, and the start-up
// recovery that finishes them after a crash (kill -9 included) from what was committed —
// never from a result/ or report.json found in the spool, which may be anybody's.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/Registry.hpp"
#include "rules/RuleSet.hpp"
#include "spool/Spool.hpp"

namespace sot::outcome {
class OutcomeSigner;
}

namespace sot::service {

// (bundle, message, is a warning)
using RecoveryLog = std::function<void(const std::string&, const std::string&, bool)>;

Outcome outcome_named(const std::string& outcome);

// result/notice.{pdf,json} for a rejected bundle, result/receipt.{pdf,json} for a registered
// one, written durably into `dir`/result/ (a failure to make one is logged, never fatal).
// `signer`: the court's key, when receipts and notices are signed (outcome/Signer.hpp).
void write_outcome_documents(spool::Spool& spool, const rules::RuleSet& rules,
                             const std::string& id, const std::filesystem::path& dir,
                             const nlohmann::json& report, const RecoveryLog& log,
                             const outcome::OutcomeSigner* signer = nullptr);

// After the registry committed the decision: sets aside what the bundle brought beside its
// three entries (audited), writes the committed report text and the notice or receipt.
void write_committed(spool::Spool& spool, registry::Registry& registry, const rules::RuleSet& rules,
                     const std::string& id, const std::filesystem::path& dir,
                     const std::string& report_text, const nlohmann::json& report,
                     const RecoveryLog& log, const outcome::OutcomeSigner* signer = nullptr);

// Start-up: a committed decision whose bundle already sits in its outcome directory with the
// committed report (a crash between the rename and record_outcome) is recorded as done.
// Bundles in outcome directories the registry never decided are not recorded, only listed
// in `unknown`. Returns how many were recorded.
int reconcile(spool::Spool& spool, registry::Registry& registry, std::vector<std::string>* unknown);

// Start-up: finishes every decision the registry committed (active/ and deciding/), undoes
// the uncommitted ones, records the moves the registry missed. Returns the bundles of
// active/ to process again from scratch.
std::vector<std::string> recover(spool::Spool& spool, registry::Registry& registry,
                                 const rules::RuleSet& rules, const RecoveryLog& log,
                                 const outcome::OutcomeSigner* signer = nullptr);

}  // namespace sot::service
