#include "service/Recovery.hpp"

#include "common/FaultPoint.hpp"
#include "outcome/Notices.hpp"

#include "common/Instance.hpp"
#include "core/Time.hpp"

#include <sys/stat.h>

#include <set>

namespace sot::service {

using common::default_instance;
using common::fault_point;
using common::instance_is_dead;
using common::kDecisionHold;

namespace fs = std::filesystem;

Outcome outcome_named(const std::string& o) {
  return o == "registered" ? Outcome::kRegistered
         : o == "rejected" ? Outcome::kRejected
                           : Outcome::kReview;
}

void write_outcome_documents(spool::Spool& spool, const rules::RuleSet& rules,
                             const std::string& id, const fs::path& dir,
                             const nlohmann::json& report, const RecoveryLog& log,
                             const outcome::OutcomeSigner* signer) {
  std::vector<std::pair<std::string, std::string>> documents;
  try {
    documents = outcome::outcome_documents(report, dir, rules, signer);
  } catch (const std::exception& e) {
    // The outcome stands on report.json; a document that could not be made is logged and
    // can be made again from it (it never holds a bundle back).
    log(id, std::string("cannot make the notice or receipt: ") + e.what(), true);
    return;
  }
  for (const auto& [name, data] : documents) spool.write_result_at(dir, name, data);
}

void write_committed(spool::Spool& spool, registry::Registry& registry, const rules::RuleSet& rules,
                     const std::string& id, const fs::path& dir, const std::string& report_text,
                     const nlohmann::json& report, const RecoveryLog& log,
                     const outcome::OutcomeSigner* signer) {
  // Whatever the bundle brought beside its three entries — a result/ of its own included — is
  // set aside before the daemon's own result/ is made: never followed, read or trusted.
  if (const auto moved = spool.set_aside(dir, id); !moved.empty()) {
    std::string where;
    for (const auto& m : moved) where += (where.empty() ? "" : ", ") + m;
    log(id, "set aside what the bundle brought beside its files: " + where, true);
    registry.audit("sot-intaked", "set-aside", id, {{"kept_as", moved}});
  }
  fault_point("set-aside", id);
  spool.write_result_at(dir, "report.json", report_text);
  fault_point("report", id);
  write_outcome_documents(spool, rules, id, dir, report, log, signer);
  fault_point("documents", id);
}

int reconcile(spool::Spool& spool, registry::Registry& registry,
              std::vector<std::string>* unknown) {
  int recorded = 0;
  // A bundle another daemon holds is its holder's to record (it does, under its lease).
  std::set<std::string> held;
  for (const auto& l : registry.leases())
    if (!instance_is_dead(l.holder)) held.insert(l.bundle);
  for (const Outcome o : {Outcome::kRegistered, Outcome::kRejected, Outcome::kReview}) {
    const std::string outcome = spool::directory_of(o);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(spool.outcome_dir(o), ec)) {
      const std::string placed = e.path().filename().string();
      if (!spool::is_bundle_id(placed)) continue;
      const auto text = spool::read_report_text(e.path());
      const auto report = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
      if (!report.is_object()) {
        unknown->push_back(outcome + "/" + placed);
        continue;
      }
      const std::string bundle = report.value("bundle", placed);
      if (held.count(bundle)) continue;
      const auto rec = registry.find(bundle);
      const bool decided = rec && rec->state == "decided";
      if (decided && rec->placed_as == placed && rec->outcome == outcome) continue;
      // Only what was committed, with the very report that was committed.
      const auto pending = registry.pending_decision(bundle);
      if (pending && pending->outcome == outcome &&
          pending->report_sha256 == registry::sha256_hex(*text)) {
        registry.record_outcome(bundle, placed, outcome, report);
        ++recorded;
      } else if (!pending && !decided) {
        unknown->push_back(outcome + "/" + placed);
      }
    }
  }
  return recorded;
}

std::string finish_committed(spool::Spool& spool, registry::Registry& registry,
                             const rules::RuleSet& rules, const std::string& id,
                             const registry::PendingDecision& pending, const RecoveryLog& log,
                             const outcome::OutcomeSigner* signer, registry::Token token,
                             const std::function<bool()>& may_move) {
  const auto report = nlohmann::json::parse(pending.report_text, nullptr, false);
  write_committed(spool, registry, rules, id, spool.active() / id, pending.report_text, report, log,
                  signer);
  if (may_move && !may_move())
    throw registry::StaleLease("the lease on " + id + " was lost before its outcome move");
  const Outcome o = outcome_named(pending.outcome);
  const std::string placed = spool.finish(id, o);
  registry.record_outcome(id, placed, spool::directory_of(o), report, token);
  return placed;
}

std::optional<std::string> find_moved(const spool::Spool& spool, const std::string& id,
                                      const registry::PendingDecision& pending) {
  const fs::path dir = spool.outcome_dir(outcome_named(pending.outcome));
  for (int n = 0; n < 1000; ++n) {
    const std::string name = n == 0 ? id : id + "." + std::to_string(n);
    std::error_code ec;
    if (!fs::exists(dir / name, ec)) {
      if (n > 0) break;
      continue;
    }
    const auto text = spool::read_report_text(dir / name);
    if (text && registry::sha256_hex(*text) == pending.report_sha256) return name;
  }
  return std::nullopt;
}

int recover_deciding(spool::Spool& spool, registry::Registry& registry, const rules::RuleSet& rules,
                     const RecoveryLog& log, const outcome::OutcomeSigner* signer) {
  // deciding/: a clerk's committed decision is finished; one never committed goes back where
  // the registry says the bundle was; a reprocessing whose result was already set aside goes
  // on into incoming/.
  const std::string me = default_instance();
  int settled = 0;
  for (const auto& placed : spool.list_deciding()) {
    const fs::path dir = spool.deciding() / placed;
    const auto own = spool::read_report(dir);
    const std::string bundle = own ? own->value("bundle", placed) : placed;
    // Somebody is deciding it right now (a clerk here or on another host): left alone.
    // Holds are keyed by the name in deciding/ (what a clerk's command and this both know).
    const std::string holder = registry.decision_holder(placed);
    if (!holder.empty() && !instance_is_dead(holder)) continue;
    if (!holder.empty()) registry.end_decision(placed, holder);         // its process is gone
    if (!registry.begin_decision(placed, me, kDecisionHold)) continue;  // another recovery
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {  // settled by another host meanwhile
      registry.end_decision(placed, me);
      continue;
    }
    ++settled;
    if (const auto pending = registry.pending_decision(bundle)) {
      const auto report = nlohmann::json::parse(pending->report_text, nullptr, false);
      spool.write_result_at(dir, "report.json", pending->report_text);
      write_outcome_documents(spool, rules, bundle, dir, report, log, signer);
      const Outcome o = outcome_named(pending->outcome);
      const std::string as = spool.finish_decision(placed, o);
      registry.record_outcome(bundle, as, spool::directory_of(o), report);
      log(bundle, "recovered: a clerk's committed decision (" + pending->outcome + ") finished",
          false);
    } else if (!own) {
      if (spool.decision_to_incoming(placed)) {
        registry.transition(bundle, "received");
        log(bundle, "recovered: an interrupted reprocessing sent on to incoming/", false);
      }
    } else {
      const auto rec = registry.find(bundle);
      const Outcome back = outcome_named(rec && !rec->outcome.empty() ? rec->outcome : "review");
      spool.abandon_decision(placed, back);
      log(bundle,
          "recovered: an uncommitted decision undone (back to " + spool::directory_of(back) + "/)",
          false);
    }
    registry.end_decision(placed, me);
  }
  return settled;
}

int recover(spool::Spool& spool, registry::Registry& registry, const rules::RuleSet& rules,
            const RecoveryLog& log, const outcome::OutcomeSigner* signer) {
  int put_back = 0;
  // active/: back to work in the registry, waiting as from when it first arrived (oldest
  // first). One a live daemon holds stays with it.
  for (const auto& id : spool.list_active()) {
    const auto rec = registry.find(id);
    const std::string since = rec && !rec->received_at.empty()
                                  ? rec->received_at
                                  : format_rfc3339(SystemClock{}.now(), 0);
    if (!registry.enqueue(id, since)) continue;
    ++put_back;
    log(id,
        registry.pending_decision(id)
            ? "recovered: the committed decision is finished at its next claim"
            : "recovered: processing again from scratch at its next claim",
        false);
  }
  recover_deciding(spool, registry, rules, log, signer);
  std::vector<std::string> unknown;
  if (const int n = reconcile(spool, registry, &unknown); n > 0)
    log("",
        "registry: recorded " + std::to_string(n) + " committed decision(s) whose move it missed",
        false);
  for (const auto& u : unknown)
    log("", u + ": in an outcome directory without a decision of this registry (left alone)", true);
  return put_back;
}

}  // namespace sot::service
