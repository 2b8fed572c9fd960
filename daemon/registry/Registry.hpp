// The registry of filings: every bundle, each state transition with its time, its outcome,
// its report, gap-free registration numbers per court and year (assigned in the transaction
// that records them), and the audit trail of clerks' decisions and applied reprocessing.
//
// An interface: the daemon, the CLI and the review UI use only this. The SQLite backend
// (WAL, synchronous=FULL) serves one host; a shared backend (several daemons on several
// machines, one registry) implements the same calls with the same transaction boundaries.
//
// The registry is the state of record: every decision (outcome, number, the exact report
// text and its SHA-256) is committed here before report.json is written and before the
// bundle is renamed into its outcome directory. A crash in between is finished at start-up
// from what was committed (commit_decision … record_outcome); a bundle, a result/ or a
// report.json the registry never committed is never taken for a decision. A failed write
// throws RegistryError; the service stops rather than carry on unrecorded.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sot::registry {

// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(const std::string& text);

class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BundleRecord {
  std::string id;
  std::string submission_id;  // empty when the manifest gave none
  std::string state;          // received, processing, numbered, decided
  std::string outcome;        // registered, rejected, review (empty until decided)
  std::string placed_as;      // its directory name in the outcome directory
  std::string registration_number;
  std::string court;
  std::string received_at;  // first transition (RFC 3339, UTC)
  std::string updated_at;
  nlohmann::json report;  // null until decided
};

struct PendingDecision {
  std::string outcome;
  std::string report_text;  // exactly what result/report.json must hold
  std::string report_sha256;
};

struct Transition {
  std::string state;
  std::string at;
};

struct AuditEntry {
  long long id = 0;
  std::string at;
  std::string actor;   // a clerk's login, or "sot-intake reprocess" run by a user
  std::string action;  // register, reject, reprocess, assign, reprocess-apply, login …
  std::string bundle;
  nlohmann::json detail;  // reasons, free text, before/after
};

struct ListQuery {
  std::string outcome;  // "" any
  std::string since;    // RFC 3339 date or time: decided at or after ("" any)
  std::string court;    // "" any
  std::size_t limit = 100000;
};

class Registry {
 public:
  virtual ~Registry() = default;

  virtual void transition(const std::string& bundle, const std::string& state,
                          const std::optional<std::string>& submission_id = std::nullopt) = 0;

  // The bundle's registration number: the one it already has, or the next of (court, year),
  // written in `format` (format_registration_number).
  virtual std::string assign_number(const std::string& bundle, const std::string& court, int year,
                                    const std::string& format) = 0;

  // A decision about to be written (outcome, the report's exact text and its SHA-256), before
  // any file shows it; it is pending until record_outcome(). A later decision on the same
  // bundle (a clerk's, an applied reprocessing) replaces it.
  virtual void commit_decision(const std::string& bundle, const std::string& outcome,
                               const std::string& report_text) = 0;
  // The committed decision not yet recorded as done, if any.
  virtual std::optional<PendingDecision> pending_decision(const std::string& bundle) = 0;

  // The decision done: the name it got in its outcome directory, the outcome, the report.
  virtual void record_outcome(const std::string& bundle, const std::string& placed_as,
                              const std::string& outcome, const nlohmann::json& report) = 0;

  // Has this bundle id already been decided?
  virtual bool decided(const std::string& bundle) = 0;

  virtual std::optional<BundleRecord> find(const std::string& bundle) = 0;
  // Every bundle of a submission, newest first (a refiled submission has several).
  virtual std::vector<BundleRecord> by_submission(const std::string& submission_id) = 0;
  // Decided bundles whose report names `submission_id` as the refused filing they cure
  // (report.filing.resubmission_of, spec §5.2), oldest first.
  virtual std::vector<BundleRecord> resubmissions_of(const std::string& submission_id) = 0;
  virtual std::vector<BundleRecord> list(const ListQuery& q) = 0;
  virtual std::vector<Transition> transitions(const std::string& bundle) = 0;

  virtual void audit(const std::string& actor, const std::string& action, const std::string& bundle,
                     const nlohmann::json& detail) = 0;
  virtual std::vector<AuditEntry> audit_trail(const std::string& bundle) = 0;

  // A key/value store for the review UI's assignments and similar small state.
  virtual void set_assignee(const std::string& bundle, const std::string& clerk) = 0;
  virtual std::string assignee(const std::string& bundle) = 0;

  // The arrival acknowledged: the SHA-256 of the manifest.json received (what the filer signed),
  // recorded when the bundle is first seen; "" when none was recorded.
  virtual void acknowledge(const std::string& bundle, const std::string& manifest_sha256) = 0;
  virtual std::string acknowledged_manifest(const std::string& bundle) = 0;

  // A legal hold: retention leaves the bundle alone while it is on (retention/Retention.hpp).
  virtual void set_legal_hold(const std::string& bundle, bool on) = 0;
  virtual bool legal_hold(const std::string& bundle) = 0;

  virtual std::string integrity_check() = 0;
  // Bundles in a state or with an outcome of that name.
  virtual int count(const std::string& state_or_outcome) = 0;
};

// The registry schema this program writes; a registry of a newer version is refused
// (RegistryError), an older one is migrated when opened for writing.
inline constexpr int kSchemaVersion = 2;

// The SQLite registry at `file` (created when missing). `read_only`: for status queries from
// the CLI while a daemon runs (WAL lets them read without blocking it).
std::unique_ptr<Registry> open_sqlite_registry(const std::filesystem::path& file,
                                               bool read_only = false);

// The registry of a spool: <spool>/state/registry.sqlite.
std::filesystem::path registry_file(const std::filesystem::path& spool_root);

}  // namespace sot::registry
