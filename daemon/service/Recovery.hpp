// The registry is the state of record (see Registry.hpp): what the daemon, a clerk or an
// applied reprocessing decided is committed there first, and only then written into the
// bundle's result/ and moved. These are the steps after the commit, and the start-up
// recovery that finishes them after a crash (kill -9 included) from what was committed —
// never from a result/ or report.json found in the spool, which may be anybody's.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
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

// A bundle in active/ whose decision the registry committed (after a crash, or taken over
// from a daemon whose lease expired between its commit and its move): the report written
// again from the committed text, the notice or receipt, the move, the record — under `token`.
// `may_move` is asked just before the rename (the lease's fence); false throws StaleLease.
// Returns the name it got in its outcome directory.
std::string finish_committed(spool::Spool& spool, registry::Registry& registry,
                             const rules::RuleSet& rules, const std::string& id,
                             const registry::PendingDecision& pending, const RecoveryLog& log,
                             const outcome::OutcomeSigner* signer, registry::Token token,
                             const std::function<bool()>& may_move);

// A committed decision whose bundle is already in its outcome directory (its holder moved it
// and stopped before recording it): the name it has there, when the report there is exactly
// the committed one.
std::optional<std::string> find_moved(const spool::Spool& spool, const std::string& id,
                                      const registry::PendingDecision& pending);

// A clerk's decision left in deciding/ by a process that stopped (its hold in the registry
// expired, or its holder on this host is gone): finished if committed, undone otherwise. One
// that somebody is still deciding — on any host — is left alone. Safe to run at any time and
// on several hosts at once (the recovery takes the hold itself). Returns how many it settled.
int recover_deciding(spool::Spool& spool, registry::Registry& registry, const rules::RuleSet& rules,
                     const RecoveryLog& log, const outcome::OutcomeSigner* signer = nullptr);

// Start-up: the bundles in active/ are put back to work in the registry (claimed again, by
// this daemon or another; a committed decision is then finished, anything else processed
// again from scratch); abandoned decisions of deciding/ are settled (recover_deciding); the
// moves the registry missed are recorded. Returns how many bundles of active/ were put back.
int recover(spool::Spool& spool, registry::Registry& registry, const rules::RuleSet& rules,
            const RecoveryLog& log, const outcome::OutcomeSigner* signer = nullptr);

}  // namespace sot::service
