// The registry of filings: every bundle, each state transition with its time, its outcome,
// its report, gap-free registration numbers per court and year (assigned in the transaction
// that records them), and the audit trail of clerks' decisions and applied reprocessing.
//
// An interface: the daemon, the CLI and the review UI use only this. The SQLite backend
// (WAL, synchronous=FULL) serves one host; the PostgreSQL backend (PgRegistry.cpp) serves
// several daemons on several hosts, one registry, with the same calls and the same
// transaction boundaries.
//
// Work and leases: a bundle seen in incoming/ is enqueued; a daemon claims the oldest waiting
// ones with a lease (its instance, an expiry, a fencing token that grows at every claim). The
// holder renews its leases; a holder that stops loses them when they expire and another
// daemon takes the bundle over with a new token. Every write a holder makes for its bundle
// (transition, number, decision, outcome) names its token, and a stale token is refused
// (StaleLease) in the transaction that would have written: a paused daemon that wakes up
// never decides a bundle twice.
//
// The registry is the state of record: every decision (outcome, number, the exact report
// text and its SHA-256) is committed here before report.json is written and before the
// bundle is renamed into its outcome directory. A crash in between is finished at start-up
// from what was committed (commit_decision … record_outcome); a bundle, a result/ or a
// report.json the registry never committed is never taken for a decision. A failed write
// throws RegistryError; the service stops rather than carry on unrecorded.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
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

// A write under a lease that is no longer held (another daemon took the bundle over).
class StaleLease : public RegistryError {
 public:
  using RegistryError::RegistryError;
};

// What a write is done under: 0 for a write that needs no lease (a clerk's decision, the
// CLI), otherwise the fencing token of the claim.
using Token = long long;

// A bundle claimed for processing.
struct Claim {
  std::string bundle;
  Token token = 0;
  std::string previous_holder;  // "" for a new arrival; the instance it was taken from
};

// A notification to the portal («Хабарламалар»): one status change of a submission, kept in
// the registry's outbox until delivered (notify/Notifier.hpp).
struct OutboxEvent {
  long long id = 0;        // the event id: the portal de-duplicates on it
  std::string submission;  // the submission id (the bundle id when the manifest gave none)
  std::string bundle;
  std::string type;        // received, checking, registered, rejected, review
  std::string created_at;  // RFC 3339, UTC
  nlohmann::json payload;  // what is POSTed
  int attempts = 0;
  std::string state;  // pending, delivered, dead
  std::string last_error;
  std::string delivered_at;
};

struct LeaseInfo {
  std::string bundle;
  std::string holder;
  Token token = 0;
  std::string expires_at;  // RFC 3339, UTC
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

  // `token` (here and below): the claim's fencing token, or 0 for a write under no lease.
  virtual void transition(const std::string& bundle, const std::string& state,
                          const std::optional<std::string>& submission_id = std::nullopt,
                          Token token = 0) = 0;

  // The bundle's registration number: the one it already has, or the next of (court, year),
  // written in `format` (format_registration_number). Gap-free: the counter row is locked in
  // the transaction that records the number.
  virtual std::string assign_number(const std::string& bundle, const std::string& court, int year,
                                    const std::string& format, Token token = 0) = 0;

  // A decision about to be written (outcome, the report's exact text and its SHA-256), before
  // any file shows it; it is pending until record_outcome(). A later decision on the same
  // bundle (a clerk's, an applied reprocessing) replaces it.
  virtual void commit_decision(const std::string& bundle, const std::string& outcome,
                               const std::string& report_text, Token token = 0) = 0;
  // The committed decision not yet recorded as done, if any.
  virtual std::optional<PendingDecision> pending_decision(const std::string& bundle) = 0;

  // The decision done: the name it got in its outcome directory, the outcome, the report. The
  // bundle's work (and lease) ends with it.
  virtual void record_outcome(const std::string& bundle, const std::string& placed_as,
                              const std::string& outcome, const nlohmann::json& report,
                              Token token = 0) = 0;

  // Work. A bundle seen waiting (in incoming/, or left in active/ by an earlier run), with the
  // time it arrived; true when it was not known as waiting already.
  virtual bool enqueue(const std::string& bundle, const std::string& arrived_at) = 0;
  // Up to `n` waiting bundles nobody holds (or whose lease expired), oldest arrival first,
  // leased to `instance` for `lease`. Concurrent claims never return the same bundle.
  virtual std::vector<Claim> claim(const std::string& instance, std::chrono::milliseconds lease,
                                   std::size_t n) = 0;
  // Renews the leases `instance` holds under `tokens` (the claims it is working on); returns
  // how many it still holds. A lease of the instance it no longer knows (a claim whose answer
  // was lost with the connection) is not renewed: it expires and is claimed again.
  virtual std::size_t heartbeat(const std::string& instance, const std::vector<Token>& tokens,
                                std::chrono::milliseconds lease) = 0;
  // Is `token` still the bundle's lease? If so it is renewed for `lease` (before a rename
  // that only the holder may make); false when another daemon holds it now.
  virtual bool fence(const std::string& bundle, Token token, std::chrono::milliseconds lease) = 0;
  // The work ends without a decision (the bundle was gone when its holder came for it).
  virtual void drop(const std::string& bundle, Token token) = 0;
  // Leases of `instance` expire now (it is known dead: a restart of the same instance).
  virtual int expire_leases(const std::string& instance) = 0;
  virtual std::vector<LeaseInfo> leases() = 0;
  // Bundles waiting that nobody holds.
  virtual std::size_t waiting() = 0;
  // The outbox. When enabled, every status change of a submission — its arrival
  // acknowledged, its checking begun, its outcome recorded (automatic or a clerk's) — writes
  // its event in the same transaction as the change.
  virtual void enable_outbox(bool on) = 0;
  // Events due for delivery, oldest first, at most one per submission (the oldest not yet
  // delivered: events of a submission go out in order), each set aside for `lease` so that
  // no other daemon sends it meanwhile.
  virtual std::vector<OutboxEvent> due_events(std::chrono::milliseconds lease, std::size_t n) = 0;
  virtual void event_delivered(long long id) = 0;
  // A failed attempt: tried again after `retry_in`, or dead-lettered when `dead`.
  virtual void event_failed(long long id, const std::string& error,
                            std::chrono::milliseconds retry_in, bool dead) = 0;
  // Events by state ("" any; pending, delivered, dead) and submission ("" any), oldest first.
  virtual std::vector<OutboxEvent> events(const std::string& state, const std::string& submission,
                                          std::size_t limit) = 0;
  // Dead events sent again (one by id, or every dead one when 0); how many.
  virtual int retry_events(long long id) = 0;
  // Events not yet delivered nor dead.
  virtual std::size_t events_pending() = 0;

  // A clerk's decision in progress (the bundle in deciding/), held by `holder` (an instance
  // name) for `lease`: no other host's recovery takes it for abandoned meanwhile. False when
  // another holder's hold has not expired.
  virtual bool begin_decision(const std::string& bundle, const std::string& holder,
                              std::chrono::milliseconds lease) = 0;
  virtual void end_decision(const std::string& bundle, const std::string& holder) = 0;
  // Who holds a decision in progress on the bundle ("" when nobody, or the hold expired).
  virtual std::string decision_holder(const std::string& bundle) = 0;

  // A descriptor that turns readable when any daemon enqueued work (PostgreSQL's
  // LISTEN/NOTIFY), or -1 when there is none now (SQLite: one daemon, whose own scan finds
  // everything; PostgreSQL between reconnections). Idle daemons still poll: a wake-up is a
  // hint, never the only way work is found. consume_wakeups() reads what woke it.
  virtual int wakeup_fd() { return -1; }
  virtual void consume_wakeups() {}

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
  // Every bundle's clerk at once (the queue view shows hundreds of them per request).
  virtual std::map<std::string, std::string> assignees() = 0;

  // A user's preferences (the review UI's language): "" when never set.
  virtual void set_preference(const std::string& login, const std::string& name,
                              const std::string& value) = 0;
  virtual std::string preference(const std::string& login, const std::string& name) = 0;

  // The arrival acknowledged: the SHA-256 of the manifest.json received (what the filer signed),
  // recorded when the bundle is first seen; "" when none was recorded.
  virtual void acknowledge(const std::string& bundle, const std::string& manifest_sha256) = 0;
  virtual std::string acknowledged_manifest(const std::string& bundle) = 0;

  // A legal hold: retention leaves the bundle alone while it is on (retention/Retention.hpp).
  virtual void set_legal_hold(const std::string& bundle, bool on) = 0;
  virtual bool legal_hold(const std::string& bundle) = 0;

  // "ok", or what is wrong (the database's own check, and the numbers' gap-freedom).
  virtual std::string integrity_check() = 0;

  // Raw rows, for copying a registry into another (copy_registry): each row an object of its
  // columns (text, integer or null), in the table's insertion order.
  virtual std::vector<nlohmann::json> rows(const std::string& table) = 0;
  // Inserts rows as rows() gives them, keeping those already there, in one transaction.
  virtual void insert_rows(const std::string& table, const std::vector<nlohmann::json>& rows) = 0;
  virtual long long row_count(const std::string& table) = 0;
  // What it is: "sqlite:PATH" or the PostgreSQL server and database (no password).
  virtual std::string describe() = 0;
  // Can it be reached now? (the PostgreSQL backend reconnects; SQLite always can)
  virtual bool connected() = 0;
  // Bundles in a state or with an outcome of that name.
  virtual int count(const std::string& state_or_outcome) = 0;
};

// The registry schema this program writes; a registry of a newer version is refused
// (RegistryError), an older one is migrated when opened for writing.
inline constexpr int kSchemaVersion = 5;

// The SQLite registry at `file` (created when missing). `read_only`: for status queries from
// the CLI while a daemon runs (WAL lets them read without blocking it).
std::unique_ptr<Registry> open_sqlite_registry(const std::filesystem::path& file,
                                               bool read_only = false);

// The PostgreSQL registry at `conninfo` (a libpq URI or key=value string; libpq's environment
// — PGHOST, PGPASSFILE … — and service file apply). Migrated at open unless `read_only`.
// `reconnect_for`: how long a call waits for a lost server to come back before it throws.
std::unique_ptr<Registry> open_postgresql_registry(
    const std::string& conninfo, bool read_only = false,
    std::chrono::milliseconds reconnect_for = std::chrono::seconds(60));

// The registry a `[registry] url` names: "sqlite:PATH", "postgresql://…" (or "postgres://…"),
// or "" for the spool's own SQLite file. RegistryError for anything else.
std::unique_ptr<Registry> open_registry(const std::string& url,
                                        const std::filesystem::path& spool_root,
                                        bool read_only = false);
// Is `url` one open_registry() takes? ("" if so, otherwise why not)
std::string registry_url_problem(const std::string& url);

// The registry of a spool: <spool>/state/registry.sqlite.
std::filesystem::path registry_file(const std::filesystem::path& spool_root);

// Copies every row of `from` into `to` (a new or partly copied registry; rows already there
// are kept), then compares the counts table by table. Returns the counts copied per table;
// RegistryError if a count differs after the copy.
struct CopyCount {
  std::string table;
  long long source = 0;
  long long target = 0;
};
std::vector<CopyCount> copy_registry(Registry& from, Registry& to);

// The payload of an outbox event (the same in both backends): `type`, the submission, the
// bundle, when, and for an outcome its number or reasons and who decided.
nlohmann::json event_payload(const std::string& type, const std::string& submission,
                             const std::string& bundle, const std::string& at,
                             const nlohmann::json& detail);
// The outcome event's detail from a report: registration number, the reasons (codes and
// their kk/ru messages), decided automatically or by a clerk.
nlohmann::json outcome_event_detail(const nlohmann::json& report);

// The tables of the schema, in the order a copy fills them.
const std::vector<std::string>& registry_tables();
// The columns a copy moves of `table` (the same names in both backends).
const std::vector<std::string>& registry_columns(const std::string& table);

}  // namespace sot::registry
