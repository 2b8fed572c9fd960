#include "registry/Registry.hpp"
#include "registry/SqlCommon.hpp"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <type_traits>

#include "config/Config.hpp"
#include "core/Text.hpp"
#include "core/Time.hpp"

namespace sot::registry {

namespace fs = std::filesystem;

namespace {

using sql::kEventColumns;
using sql::kEventState;
using sql::kRecordColumns;
using sql::now_text;
using sql::resubmission_of;
using sql::rfc3339_ms;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw RegistryError(std::string("prepare: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, long long v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw RegistryError(std::string("step: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  long long integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  bool is_integer(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_INTEGER; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteRegistry final : public Registry {
 public:
  SqliteRegistry(const fs::path& file, bool read_only);
  ~SqliteRegistry() override { sqlite3_close(db_); }
  SqliteRegistry(const SqliteRegistry&) = delete;
  SqliteRegistry& operator=(const SqliteRegistry&) = delete;

  void transition(const std::string& bundle, const std::string& state,
                  const std::optional<std::string>& submission_id, Token token) override;
  std::string assign_number(const std::string& bundle, const std::string& court, int year,
                            const std::string& format, Token token) override;
  void commit_decision(const std::string& bundle, const std::string& outcome,
                       const std::string& report_text, Token token) override;
  std::optional<PendingDecision> pending_decision(const std::string& bundle) override;
  void record_outcome(const std::string& bundle, const std::string& placed_as,
                      const std::string& outcome, const nlohmann::json& report,
                      Token token) override;
  bool enqueue(const std::string& bundle, const std::string& arrived_at) override;
  std::vector<Claim> claim(const std::string& instance, std::chrono::milliseconds lease,
                           std::size_t n) override;
  std::size_t heartbeat(const std::string& instance, const std::vector<Token>& tokens,
                        std::chrono::milliseconds lease) override;
  bool fence(const std::string& bundle, Token token, std::chrono::milliseconds lease) override;
  void drop(const std::string& bundle, Token token) override;
  int expire_leases(const std::string& instance) override;
  std::vector<LeaseInfo> leases() override;
  std::size_t waiting() override;
  void enable_outbox(bool on) override { outbox_ = on; }
  std::vector<OutboxEvent> due_events(std::chrono::milliseconds lease, std::size_t n) override;
  void event_delivered(long long id) override;
  void event_failed(long long id, const std::string& error, std::chrono::milliseconds retry_in,
                    bool dead) override;
  std::vector<OutboxEvent> events(const std::string& state, const std::string& submission,
                                  std::size_t limit) override;
  int retry_events(long long id) override;
  std::size_t events_pending() override;
  bool begin_decision(const std::string& bundle, const std::string& holder,
                      std::chrono::milliseconds lease) override;
  void end_decision(const std::string& bundle, const std::string& holder) override;
  std::string decision_holder(const std::string& bundle) override;
  bool decided(const std::string& bundle) override;
  std::optional<BundleRecord> find(const std::string& bundle) override;
  std::vector<BundleRecord> by_submission(const std::string& submission_id) override;
  std::vector<BundleRecord> resubmissions_of(const std::string& submission_id) override;
  std::vector<BundleRecord> list(const ListQuery& q) override;
  std::vector<Transition> transitions(const std::string& bundle) override;
  void audit(const std::string& actor, const std::string& action, const std::string& bundle,
             const nlohmann::json& detail) override;
  std::vector<AuditEntry> audit_trail(const std::string& bundle) override;
  void set_assignee(const std::string& bundle, const std::string& clerk) override;
  std::string assignee(const std::string& bundle) override;
  std::map<std::string, std::string> assignees() override;
  void set_preference(const std::string& login, const std::string& name,
                      const std::string& value) override;
  std::string preference(const std::string& login, const std::string& name) override;
  void acknowledge(const std::string& bundle, const std::string& manifest_sha256) override;
  std::string acknowledged_manifest(const std::string& bundle) override;
  void set_legal_hold(const std::string& bundle, bool on) override;
  bool legal_hold(const std::string& bundle) override;
  std::string integrity_check() override;
  std::vector<nlohmann::json> rows(const std::string& table) override;
  void insert_rows(const std::string& table, const std::vector<nlohmann::json>& rows) override;
  long long row_count(const std::string& table) override;
  std::string describe() override { return "sqlite:" + file_.string(); }
  bool connected() override { return true; }
  int count(const std::string& state_or_outcome) override;

 private:
  void exec(const char* sql);
  int schema_version();
  void check_version(int version) const;
  void migrate();  // brings the schema to kSchemaVersion (or refuses a newer one)
  // Runs `body` in BEGIN IMMEDIATE … COMMIT, rolling back when it throws.
  template <typename F>
  auto in_transaction(F body) {
    exec("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        exec("COMMIT");
      } else {
        auto r = body();
        exec("COMMIT");
        return r;
      }
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  std::vector<BundleRecord> records(Statement& s);
  // Throws StaleLease unless `token` (when not 0) is the bundle's lease now.
  void check_fence(const std::string& bundle, Token token);
  // Inside a transaction: the event of a status change, when the outbox is on.
  void add_event(const std::string& type, const std::string& bundle, const nlohmann::json& detail);
  std::vector<OutboxEvent> read_events(Statement& s);
  std::atomic<bool> outbox_{false};

  fs::path file_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
};

// The schema, versioned (PRAGMA user_version): each step brings a registry from the version
// before it to its own, in one transaction at start-up. A registry of a newer version than
// this program knows is refused: an older binary never writes a schema it does not know.
// Version 1 is the schema as first shipped (registries made before versions were recorded
// have user_version 0 and these tables already: the steps are idempotent).
const std::vector<std::pair<int, const char*>> kMigrations = {
    {1,
     "CREATE TABLE IF NOT EXISTS bundles("
     " id TEXT PRIMARY KEY, submission_id TEXT, state TEXT NOT NULL, outcome TEXT,"
     " placed_as TEXT, registration_number TEXT UNIQUE, court TEXT, reg_year INTEGER,"
     " reg_seq INTEGER, report TEXT, updated_at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS transitions("
     " bundle TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS counters("
     " court TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL,"
     " PRIMARY KEY(court, year));"
     "CREATE TABLE IF NOT EXISTS audit("
     " id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,"
     " action TEXT NOT NULL, bundle TEXT NOT NULL, detail TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS assignments("
     " bundle TEXT PRIMARY KEY, clerk TEXT NOT NULL, at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS decisions("
     " bundle TEXT PRIMARY KEY, outcome TEXT NOT NULL, report TEXT NOT NULL,"
     " report_sha256 TEXT NOT NULL, at TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);"
     "CREATE UNIQUE INDEX IF NOT EXISTS registration_seq ON bundles(court, reg_year, reg_seq);"
     "CREATE INDEX IF NOT EXISTS bundles_submission ON bundles(submission_id);"
     "CREATE INDEX IF NOT EXISTS transitions_bundle ON transitions(bundle);"
     "CREATE INDEX IF NOT EXISTS audit_bundle ON audit(bundle);"},
    // Legal holds (retention) and arrival acknowledgements (the manifest's SHA-256).
    {2,
     "CREATE TABLE IF NOT EXISTS holds(bundle TEXT PRIMARY KEY, at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS arrivals("
     " bundle TEXT PRIMARY KEY, manifest_sha256 TEXT NOT NULL, at TEXT NOT NULL);"},
    // Work and leases (several daemons, one registry); the refused filing a bundle cures as
    // a column of its own.
    {3,
     "CREATE TABLE IF NOT EXISTS work("
     " bundle TEXT PRIMARY KEY, enqueued_at TEXT NOT NULL, holder TEXT,"
     " token INTEGER NOT NULL DEFAULT 0, expires_ms INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX IF NOT EXISTS work_order ON work(enqueued_at, bundle);"
     "CREATE TABLE IF NOT EXISTS decision_holds("
     " bundle TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_ms INTEGER NOT NULL);"
     "CREATE TABLE IF NOT EXISTS fencing(id INTEGER PRIMARY KEY CHECK(id=1), last INTEGER NOT "
     "NULL);"
     "INSERT OR IGNORE INTO fencing(id, last) VALUES(1, 0);"
     "ALTER TABLE bundles ADD COLUMN resubmission_of TEXT;"
     "UPDATE bundles SET resubmission_of=json_extract(report, '$.filing.resubmission_of')"
     " WHERE report IS NOT NULL AND json_valid(report);"
     "CREATE INDEX IF NOT EXISTS bundles_resubmission ON bundles(resubmission_of);"},
    // Notifications to the portal: the transactional outbox.
    {4,
     "CREATE TABLE IF NOT EXISTS outbox("
     " id INTEGER PRIMARY KEY AUTOINCREMENT, submission TEXT NOT NULL, bundle TEXT NOT NULL,"
     " type TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
     " next_ms INTEGER NOT NULL DEFAULT 0, delivered_at TEXT, dead_at TEXT, last_error TEXT);"
     "CREATE INDEX IF NOT EXISTS outbox_submission ON outbox(submission, id);"},
    // The review UI's per-user preferences (language).
    {5,
     "CREATE TABLE IF NOT EXISTS preferences("
     " login TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL,"
     " PRIMARY KEY(login, name));"},
};

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SqliteRegistry::SqliteRegistry(const fs::path& file, bool read_only) : file_(file) {
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw RegistryError("cannot open " + file.string() + ": " + why);
  }
  sqlite3_busy_timeout(db_, 10000);
  if (read_only) {
    check_version(schema_version());
    return;
  }
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
  migrate();
}

int SqliteRegistry::schema_version() {
  Statement s(db_, "PRAGMA user_version");
  return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

void SqliteRegistry::check_version(int version) const {
  if (version > kSchemaVersion)
    throw RegistryError("the registry's schema is version " + std::to_string(version) +
                        ", newer than this program's " + std::to_string(kSchemaVersion) +
                        ": refusing to use it (run the newer sot-intake)");
}

void SqliteRegistry::migrate() {
  in_transaction([&] {
    const int version = schema_version();
    check_version(version);
    for (const auto& [to, sql] : kMigrations) {
      if (to <= version) continue;
      exec(sql);
      exec(("PRAGMA user_version=" + std::to_string(to)).c_str());
    }
  });
}

void SqliteRegistry::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "unknown";
    sqlite3_free(err);
    throw RegistryError(std::string("registry: ") + why + " (" + std::string(sql).substr(0, 60) +
                        ")");
  }
}

void SqliteRegistry::check_fence(const std::string& bundle, Token token) {
  if (token == 0) return;
  Statement s(db_, "SELECT token, COALESCE(holder,'') FROM work WHERE bundle=?");
  s.bind(1, bundle);
  if (!s.step() || s.integer(0) != token)
    throw StaleLease("the lease on " + bundle + " (token " + std::to_string(token) +
                     ") is no longer held");
}

void SqliteRegistry::transition(const std::string& bundle, const std::string& state,
                                const std::optional<std::string>& submission_id, Token token) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    check_fence(bundle, token);
    const std::string at = now_text();
    Statement up(db_,
                 "INSERT INTO bundles(id, submission_id, state, updated_at) VALUES(?,?,?,?) "
                 "ON CONFLICT(id) DO UPDATE SET state=excluded.state, "
                 "submission_id=COALESCE(excluded.submission_id, submission_id), "
                 "updated_at=excluded.updated_at");
    up.bind(1, bundle).bind(3, state).bind(4, at);
    if (submission_id)
      up.bind(2, *submission_id);
    else
      up.bind_null(2);
    up.step();
    Statement t(db_, "INSERT INTO transitions(bundle, state, at) VALUES(?,?,?)");
    t.bind(1, bundle).bind(2, state).bind(3, at).step();
    if (state == "processing") add_event("checking", bundle, nlohmann::json::object());
  });
}

std::string SqliteRegistry::assign_number(const std::string& bundle, const std::string& court,
                                          int year, const std::string& format, Token token) {
  std::lock_guard lock(mutex_);
  return in_transaction([&]() -> std::string {
    check_fence(bundle, token);
    {
      Statement have(db_, "SELECT registration_number FROM bundles WHERE id=?");
      have.bind(1, bundle);
      if (have.step() && !have.is_null(0)) return have.text(0);
    }
    long long next = 1;
    {
      Statement c(db_, "SELECT last FROM counters WHERE court=? AND year=?");
      c.bind(1, court).bind(2, year);
      if (c.step()) next = c.integer(0) + 1;
    }
    Statement(db_,
              "INSERT INTO counters(court, year, last) VALUES(?,?,?) "
              "ON CONFLICT(court, year) DO UPDATE SET last=excluded.last")
        .bind(1, court)
        .bind(2, year)
        .bind(3, next)
        .step();
    const std::string number = format_registration_number(format, court, year, next);
    const std::string at = now_text();
    Statement up(db_,
                 "INSERT INTO bundles(id, state, registration_number, court, reg_year, reg_seq,"
                 " updated_at) VALUES(?, 'numbered', ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                 "state='numbered', registration_number=excluded.registration_number, "
                 "court=excluded.court, reg_year=excluded.reg_year, reg_seq=excluded.reg_seq, "
                 "updated_at=excluded.updated_at");
    up.bind(1, bundle).bind(2, number).bind(3, court).bind(4, year).bind(5, next).bind(6, at);
    up.step();
    Statement(db_, "INSERT INTO transitions(bundle, state, at) VALUES(?, 'numbered', ?)")
        .bind(1, bundle)
        .bind(2, at)
        .step();
    return number;
  });
}

void SqliteRegistry::record_outcome(const std::string& bundle, const std::string& placed_as,
                                    const std::string& outcome, const nlohmann::json& report,
                                    Token token) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    check_fence(bundle, token);
    const std::string at = now_text();
    Statement up(db_,
                 "INSERT INTO bundles(id, submission_id, state, outcome, placed_as, report, "
                 "updated_at, resubmission_of) VALUES(?,?, 'decided', ?,?,?,?,?) ON CONFLICT(id) "
                 "DO UPDATE SET state='decided', outcome=excluded.outcome, "
                 "placed_as=excluded.placed_as, report=excluded.report, "
                 "submission_id=COALESCE(excluded.submission_id, submission_id), "
                 "updated_at=excluded.updated_at, resubmission_of=excluded.resubmission_of");
    up.bind(1, bundle);
    if (report.contains("submission_id") && report["submission_id"].is_string())
      up.bind(2, report["submission_id"].get<std::string>());
    else
      up.bind_null(2);
    up.bind(3, outcome)
        .bind(4, placed_as)
        .bind(5, report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .bind(6, at);
    if (const auto r = resubmission_of(report))
      up.bind(7, *r);
    else
      up.bind_null(7);
    up.step();
    Statement(db_, "INSERT INTO transitions(bundle, state, at) VALUES(?,?,?)")
        .bind(1, bundle)
        .bind(2, outcome)
        .bind(3, at)
        .step();
    Statement(db_, "UPDATE decisions SET done=1 WHERE bundle=?").bind(1, bundle).step();
    Statement(db_, "DELETE FROM work WHERE bundle=?").bind(1, bundle).step();
    add_event(outcome == "registered" || outcome == "rejected" ? outcome : "review", bundle,
              outcome_event_detail(report));
  });
}

void SqliteRegistry::commit_decision(const std::string& bundle, const std::string& outcome,
                                     const std::string& report_text, Token token) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    check_fence(bundle, token);
    Statement(db_,
              "INSERT INTO decisions(bundle, outcome, report, report_sha256, at, done) "
              "VALUES(?,?,?,?,?,0) ON CONFLICT(bundle) DO UPDATE SET outcome=excluded.outcome, "
              "report=excluded.report, report_sha256=excluded.report_sha256, at=excluded.at, "
              "done=0")
        .bind(1, bundle)
        .bind(2, outcome)
        .bind(3, report_text)
        .bind(4, sha256_hex(report_text))
        .bind(5, now_text())
        .step();
  });
}

std::optional<PendingDecision> SqliteRegistry::pending_decision(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT outcome, report, report_sha256 FROM decisions WHERE bundle=? AND done=0");
  s.bind(1, bundle);
  if (!s.step()) return std::nullopt;
  return PendingDecision{s.text(0), s.text(1), s.text(2)};
}

bool SqliteRegistry::decided(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT 1 FROM bundles WHERE id=? AND state='decided'");
  s.bind(1, bundle);
  return s.step();
}

std::vector<BundleRecord> SqliteRegistry::records(Statement& s) {
  std::vector<BundleRecord> out;
  while (s.step()) {
    BundleRecord r;
    r.id = s.text(0);
    r.submission_id = s.text(1);
    r.state = s.text(2);
    r.outcome = s.text(3);
    r.placed_as = s.text(4);
    r.registration_number = s.text(5);
    r.court = s.text(6);
    r.received_at = s.text(7);
    r.updated_at = s.text(8);
    if (!s.is_null(9)) r.report = nlohmann::json::parse(s.text(9), nullptr, false);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<BundleRecord> SqliteRegistry::find(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              (std::string("SELECT ") + kRecordColumns + " FROM bundles b WHERE b.id=?").c_str());
  s.bind(1, bundle);
  auto r = records(s);
  if (r.empty()) return std::nullopt;
  return std::move(r.front());
}

std::vector<BundleRecord> SqliteRegistry::by_submission(const std::string& submission_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, (std::string("SELECT ") + kRecordColumns +
                    " FROM bundles b WHERE b.submission_id=? ORDER BY b.updated_at DESC, b.id")
                       .c_str());
  s.bind(1, submission_id);
  return records(s);
}

std::vector<BundleRecord> SqliteRegistry::resubmissions_of(const std::string& submission_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, (std::string("SELECT ") + kRecordColumns +
                    " FROM bundles b WHERE b.resubmission_of=? ORDER BY b.updated_at, b.id")
                       .c_str());
  s.bind(1, submission_id);
  return records(s);
}

std::vector<BundleRecord> SqliteRegistry::list(const ListQuery& q) {
  std::lock_guard lock(mutex_);
  Statement s(db_, (std::string("SELECT ") + kRecordColumns +
                    " FROM bundles b WHERE (?1='' OR b.outcome=?1) AND (?2='' OR b.updated_at>=?2)"
                    " AND (?3='' OR b.court=?3) ORDER BY b.updated_at, b.id LIMIT ?4")
                       .c_str());
  s.bind(1, q.outcome).bind(2, q.since).bind(3, q.court).bind(4, static_cast<long long>(q.limit));
  return records(s);
}

std::vector<Transition> SqliteRegistry::transitions(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT state, at FROM transitions WHERE bundle=? ORDER BY rowid");
  s.bind(1, bundle);
  std::vector<Transition> out;
  while (s.step()) out.push_back({s.text(0), s.text(1)});
  return out;
}

void SqliteRegistry::audit(const std::string& actor, const std::string& action,
                           const std::string& bundle, const nlohmann::json& detail) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_, "INSERT INTO audit(at, actor, action, bundle, detail) VALUES(?,?,?,?,?)")
        .bind(1, now_text())
        .bind(2, actor)
        .bind(3, action)
        .bind(4, bundle)
        .bind(5, detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .step();
  });
}

std::vector<AuditEntry> SqliteRegistry::audit_trail(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT id, at, actor, action, bundle, detail FROM audit WHERE ?1='' OR bundle=?1 "
              "ORDER BY id");
  s.bind(1, bundle);
  std::vector<AuditEntry> out;
  while (s.step())
    out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4),
                   nlohmann::json::parse(s.text(5), nullptr, false)});
  return out;
}

void SqliteRegistry::set_assignee(const std::string& bundle, const std::string& clerk) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_,
              "INSERT INTO assignments(bundle, clerk, at) VALUES(?,?,?) ON CONFLICT(bundle) DO "
              "UPDATE SET clerk=excluded.clerk, at=excluded.at")
        .bind(1, bundle)
        .bind(2, clerk)
        .bind(3, now_text())
        .step();
  });
}

std::map<std::string, std::string> SqliteRegistry::assignees() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT bundle, clerk FROM assignments WHERE clerk<>''");
  std::map<std::string, std::string> out;
  while (s.step()) out[s.text(0)] = s.text(1);
  return out;
}

void SqliteRegistry::set_preference(const std::string& login, const std::string& name,
                                    const std::string& value) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_,
              "INSERT INTO preferences(login, name, value, at) VALUES(?,?,?,?) "
              "ON CONFLICT(login, name) DO UPDATE SET value=excluded.value, at=excluded.at")
        .bind(1, login)
        .bind(2, name)
        .bind(3, value)
        .bind(4, now_text())
        .step();
  });
}

std::string SqliteRegistry::preference(const std::string& login, const std::string& name) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT value FROM preferences WHERE login=? AND name=?");
  s.bind(1, login).bind(2, name);
  return s.step() ? s.text(0) : std::string();
}

std::string SqliteRegistry::assignee(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT clerk FROM assignments WHERE bundle=?");
  s.bind(1, bundle);
  return s.step() ? s.text(0) : "";
}

void SqliteRegistry::acknowledge(const std::string& bundle, const std::string& manifest_sha256) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_,
              "INSERT INTO arrivals(bundle, manifest_sha256, at) VALUES(?,?,?) "
              "ON CONFLICT(bundle) DO NOTHING")
        .bind(1, bundle)
        .bind(2, manifest_sha256)
        .bind(3, now_text())
        .step();
    if (sqlite3_changes(db_) > 0)
      add_event("received", bundle, {{"manifest_sha256", manifest_sha256}});
  });
}

std::string SqliteRegistry::acknowledged_manifest(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT manifest_sha256 FROM arrivals WHERE bundle=?");
  s.bind(1, bundle);
  return s.step() ? s.text(0) : "";
}

void SqliteRegistry::set_legal_hold(const std::string& bundle, bool on) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    if (on)
      Statement(db_, "INSERT INTO holds(bundle, at) VALUES(?,?) ON CONFLICT(bundle) DO NOTHING")
          .bind(1, bundle)
          .bind(2, now_text())
          .step();
    else
      Statement(db_, "DELETE FROM holds WHERE bundle=?").bind(1, bundle).step();
  });
}

bool SqliteRegistry::legal_hold(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT 1 FROM holds WHERE bundle=?");
  s.bind(1, bundle);
  return s.step();
}

bool SqliteRegistry::enqueue(const std::string& bundle, const std::string& arrived_at) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    Statement(db_, "INSERT INTO work(bundle, enqueued_at) VALUES(?,?) ON CONFLICT DO NOTHING")
        .bind(1, bundle)
        .bind(2, arrived_at)
        .step();
    return sqlite3_changes(db_) > 0;
  });
}

std::vector<Claim> SqliteRegistry::claim(const std::string& instance,
                                         std::chrono::milliseconds lease, std::size_t n) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    std::vector<Claim> out;
    const long long now = now_ms();
    {
      Statement s(db_,
                  "SELECT bundle, COALESCE(holder,'') FROM work WHERE holder IS NULL OR "
                  "expires_ms<? ORDER BY enqueued_at, bundle LIMIT ?");
      s.bind(1, now).bind(2, static_cast<long long>(n));
      while (s.step()) out.push_back({s.text(0), 0, s.text(1)});
    }
    for (auto& c : out) {
      Statement t(db_, "UPDATE fencing SET last=last+1 WHERE id=1 RETURNING last");
      if (!t.step()) throw RegistryError("registry: the fencing counter is missing");
      c.token = t.integer(0);
      Statement(db_, "UPDATE work SET holder=?, token=?, expires_ms=? WHERE bundle=?")
          .bind(1, instance)
          .bind(2, c.token)
          .bind(3, now + lease.count())
          .bind(4, c.bundle)
          .step();
    }
    return out;
  });
}

std::size_t SqliteRegistry::heartbeat(const std::string& instance, const std::vector<Token>& tokens,
                                      std::chrono::milliseconds lease) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    std::size_t held = 0;
    for (const Token t : tokens) {
      Statement(db_, "UPDATE work SET expires_ms=? WHERE holder=? AND token=?")
          .bind(1, now_ms() + lease.count())
          .bind(2, instance)
          .bind(3, t)
          .step();
      held += static_cast<std::size_t>(sqlite3_changes(db_));
    }
    return held;
  });
}

bool SqliteRegistry::fence(const std::string& bundle, Token token,
                           std::chrono::milliseconds lease) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    Statement(db_, "UPDATE work SET expires_ms=? WHERE bundle=? AND token=?")
        .bind(1, now_ms() + lease.count())
        .bind(2, bundle)
        .bind(3, token)
        .step();
    return sqlite3_changes(db_) > 0;
  });
}

void SqliteRegistry::drop(const std::string& bundle, Token token) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_, "DELETE FROM work WHERE bundle=? AND token=?")
        .bind(1, bundle)
        .bind(2, token)
        .step();
  });
}

int SqliteRegistry::expire_leases(const std::string& instance) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    Statement(db_, "UPDATE work SET expires_ms=0 WHERE holder=?").bind(1, instance).step();
    return sqlite3_changes(db_);
  });
}

std::vector<LeaseInfo> SqliteRegistry::leases() {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT bundle, holder, token, expires_ms FROM work WHERE holder IS NOT NULL "
              "ORDER BY enqueued_at, bundle");
  std::vector<LeaseInfo> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), rfc3339_ms(s.integer(3))});
  return out;
}

std::size_t SqliteRegistry::waiting() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM work WHERE holder IS NULL OR expires_ms<?");
  s.bind(1, now_ms());
  return s.step() ? static_cast<std::size_t>(s.integer(0)) : 0;
}

void SqliteRegistry::add_event(const std::string& type, const std::string& bundle,
                               const nlohmann::json& detail) {
  if (!outbox_) return;
  std::string submission = bundle;
  {
    Statement s(db_, "SELECT submission_id FROM bundles WHERE id=? AND submission_id IS NOT NULL");
    s.bind(1, bundle);
    if (s.step()) submission = s.text(0);
  }
  const std::string at = now_text();
  Statement(db_,
            "INSERT INTO outbox(submission, bundle, type, payload, created_at, created_ms) "
            "VALUES(?,?,?,?,?,?)")
      .bind(1, submission)
      .bind(2, bundle)
      .bind(3, type)
      .bind(4, event_payload(type, submission, bundle, at, detail)
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .bind(5, at)
      .bind(6, now_ms())
      .step();
}

std::vector<OutboxEvent> SqliteRegistry::read_events(Statement& s) {
  std::vector<OutboxEvent> out;
  while (s.step()) {
    OutboxEvent e;
    e.id = s.integer(0);
    e.submission = s.text(1);
    e.bundle = s.text(2);
    e.type = s.text(3);
    e.payload = nlohmann::json::parse(s.text(4), nullptr, false);
    e.created_at = s.text(5);
    e.attempts = static_cast<int>(s.integer(6));
    e.state = s.text(7);
    e.last_error = s.text(8);
    e.delivered_at = s.text(9);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<OutboxEvent> SqliteRegistry::due_events(std::chrono::milliseconds lease,
                                                    std::size_t n) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    const long long now = now_ms();
    std::vector<OutboxEvent> out;
    {
      Statement s(db_, (std::string("SELECT ") + kEventColumns +
                        " FROM outbox o WHERE delivered_at IS NULL AND dead_at IS NULL AND "
                        "next_ms<=? AND NOT EXISTS (SELECT 1 FROM outbox p WHERE "
                        "p.submission=o.submission AND p.id<o.id AND p.delivered_at IS NULL AND "
                        "p.dead_at IS NULL) ORDER BY id LIMIT ?")
                           .c_str());
      s.bind(1, now).bind(2, static_cast<long long>(n));
      out = read_events(s);
    }
    for (const auto& e : out)
      Statement(db_, "UPDATE outbox SET next_ms=? WHERE id=?")
          .bind(1, now + lease.count())
          .bind(2, e.id)
          .step();
    return out;
  });
}

void SqliteRegistry::event_delivered(long long id) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_, "UPDATE outbox SET delivered_at=?, attempts=attempts+1 WHERE id=?")
        .bind(1, now_text())
        .bind(2, id)
        .step();
  });
}

void SqliteRegistry::event_failed(long long id, const std::string& error,
                                  std::chrono::milliseconds retry_in, bool dead) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement s(db_,
                "UPDATE outbox SET attempts=attempts+1, last_error=?, next_ms=?, dead_at=? "
                "WHERE id=? AND delivered_at IS NULL");
    s.bind(1, error.substr(0, 500)).bind(2, now_ms() + retry_in.count());
    if (dead)
      s.bind(3, now_text());
    else
      s.bind_null(3);
    s.bind(4, id).step();
  });
}

std::vector<OutboxEvent> SqliteRegistry::events(const std::string& state,
                                                const std::string& submission, std::size_t limit) {
  std::lock_guard lock(mutex_);
  Statement s(db_, (std::string("SELECT ") + kEventColumns + " FROM outbox WHERE (?1='' OR " +
                    kEventState + "=?1) AND (?2='' OR submission=?2) ORDER BY id LIMIT ?3")
                       .c_str());
  s.bind(1, state).bind(2, submission).bind(3, static_cast<long long>(limit));
  return read_events(s);
}

int SqliteRegistry::retry_events(long long id) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    Statement(db_,
              "UPDATE outbox SET dead_at=NULL, next_ms=0 WHERE dead_at IS NOT NULL AND "
              "delivered_at IS NULL AND (?1=0 OR id=?1)")
        .bind(1, id)
        .step();
    return sqlite3_changes(db_);
  });
}

std::size_t SqliteRegistry::events_pending() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL");
  return s.step() ? static_cast<std::size_t>(s.integer(0)) : 0;
}

bool SqliteRegistry::begin_decision(const std::string& bundle, const std::string& holder,
                                    std::chrono::milliseconds lease) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] {
    const long long now = now_ms();
    Statement(db_,
              "INSERT INTO decision_holds(bundle, holder, expires_ms) VALUES(?,?,?) "
              "ON CONFLICT(bundle) DO UPDATE SET holder=excluded.holder, "
              "expires_ms=excluded.expires_ms WHERE decision_holds.expires_ms<?")
        .bind(1, bundle)
        .bind(2, holder)
        .bind(3, now + lease.count())
        .bind(4, now)
        .step();
    return sqlite3_changes(db_) > 0;
  });
}

void SqliteRegistry::end_decision(const std::string& bundle, const std::string& holder) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    Statement(db_, "DELETE FROM decision_holds WHERE bundle=? AND holder=?")
        .bind(1, bundle)
        .bind(2, holder)
        .step();
  });
}

std::string SqliteRegistry::decision_holder(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT holder FROM decision_holds WHERE bundle=? AND expires_ms>=?");
  s.bind(1, bundle).bind(2, now_ms());
  return s.step() ? s.text(0) : "";
}

std::string SqliteRegistry::integrity_check() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "PRAGMA integrity_check");
  std::string verdict = s.step() ? s.text(0) : "";
  if (verdict != "ok") return verdict;
  // Gap-free numbers: per court and year, 1…last, each once.
  Statement g(db_,
              "SELECT c.court, c.year, c.last, COUNT(b.reg_seq), COALESCE(MAX(b.reg_seq),0) "
              "FROM counters c LEFT JOIN bundles b ON b.court=c.court AND b.reg_year=c.year "
              "AND b.reg_seq IS NOT NULL GROUP BY c.court, c.year, c.last");
  while (g.step())
    if (g.integer(2) != g.integer(3) || g.integer(2) != g.integer(4))
      return "registration numbers of court " + g.text(0) + ", " + std::to_string(g.integer(1)) +
             ": counter at " + std::to_string(g.integer(2)) + ", " + std::to_string(g.integer(3)) +
             " numbers given, highest " + std::to_string(g.integer(4));
  return "ok";
}

// The columns a copy moves, per table (the same names in both backends).
const std::vector<std::pair<std::string, std::vector<std::string>>>& table_columns() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> t = {
      {"bundles",
       {"id", "submission_id", "state", "outcome", "placed_as", "registration_number", "court",
        "reg_year", "reg_seq", "report", "updated_at", "resubmission_of"}},
      {"transitions", {"id", "bundle", "state", "at"}},
      {"counters", {"court", "year", "last"}},
      {"audit", {"id", "at", "actor", "action", "bundle", "detail"}},
      {"assignments", {"bundle", "clerk", "at"}},
      {"decisions", {"bundle", "outcome", "report", "report_sha256", "at", "done"}},
      {"holds", {"bundle", "at"}},
      {"arrivals", {"bundle", "manifest_sha256", "at"}},
      {"work", {"bundle", "enqueued_at"}},
      {"outbox",
       {"id", "submission", "bundle", "type", "payload", "created_at", "created_ms", "attempts",
        "next_ms", "delivered_at", "dead_at", "last_error"}},
      {"preferences", {"login", "name", "value", "at"}},
  };
  return t;
}

std::vector<nlohmann::json> SqliteRegistry::rows(const std::string& table) {
  const auto& cols = registry_columns(table);
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i)
    sql += (i ? ", " : "") + (table == "transitions" && cols[i] == "id" ? "rowid" : cols[i]);
  sql += " FROM " + table +
         (table == "transitions" || table == "audit" || table == "outbox" ? " ORDER BY rowid" : "");
  std::lock_guard lock(mutex_);
  Statement s(db_, sql.c_str());
  std::vector<nlohmann::json> out;
  while (s.step()) {
    nlohmann::json row = nlohmann::json::object();
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const int c = static_cast<int>(i);
      if (s.is_null(c))
        row[cols[i]] = nullptr;
      else if (s.is_integer(c))
        row[cols[i]] = s.integer(c);
      else
        row[cols[i]] = s.text(c);
    }
    out.push_back(std::move(row));
  }
  return out;
}

void SqliteRegistry::insert_rows(const std::string& table,
                                 const std::vector<nlohmann::json>& rows) {
  const auto& cols = registry_columns(table);
  std::string sql = "INSERT INTO " + table + "(";
  for (std::size_t i = 0; i < cols.size(); ++i)
    sql += (i ? ", " : "") + (table == "transitions" && cols[i] == "id" ? "rowid" : cols[i]);
  sql += ") VALUES(";
  for (std::size_t i = 0; i < cols.size(); ++i) sql += i ? ",?" : "?";
  sql += ") ON CONFLICT DO NOTHING";
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    for (const auto& row : rows) {
      Statement s(db_, sql.c_str());
      for (std::size_t i = 0; i < cols.size(); ++i) {
        const auto& v = row.contains(cols[i]) ? row[cols[i]] : nlohmann::json();
        const int at = static_cast<int>(i) + 1;
        if (v.is_null())
          s.bind_null(at);
        else if (v.is_number_integer())
          s.bind(at, v.get<long long>());
        else
          s.bind(at, v.is_string() ? v.get<std::string>() : v.dump());
      }
      s.step();
    }
  });
}

long long SqliteRegistry::row_count(const std::string& table) {
  registry_columns(table);  // a known table only
  std::lock_guard lock(mutex_);
  Statement s(db_, ("SELECT COUNT(*) FROM " + table).c_str());
  return s.step() ? s.integer(0) : 0;
}

int SqliteRegistry::count(const std::string& what) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM bundles WHERE state=? OR outcome=?");
  s.bind(1, what).bind(2, what);
  return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

}  // namespace

std::string sha256_hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  return text::hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::unique_ptr<Registry> open_sqlite_registry(const fs::path& file, bool read_only) {
  return std::make_unique<SqliteRegistry>(file, read_only);
}

const std::vector<std::string>& registry_columns(const std::string& table) {
  for (const auto& [name, cols] : table_columns())
    if (name == table) return cols;
  throw RegistryError("registry: no table '" + table + "'");
}

const std::vector<std::string>& registry_tables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, cols] : table_columns()) n.push_back(name);
    return n;
  }();
  return names;
}

std::vector<CopyCount> copy_registry(Registry& from, Registry& to) {
  std::vector<CopyCount> counts;
  for (const auto& table : registry_tables()) {
    const auto rows = from.rows(table);
    // In slices: one transaction each, so that a large registry never holds one huge one.
    constexpr std::size_t kSlice = 2000;
    for (std::size_t i = 0; i < rows.size(); i += kSlice)
      to.insert_rows(
          table, std::vector<nlohmann::json>(rows.begin() + static_cast<std::ptrdiff_t>(i),
                                             rows.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                rows.size(), i + kSlice))));
    counts.push_back({table, from.row_count(table), to.row_count(table)});
  }
  for (const auto& c : counts)
    if (c.source != c.target)
      throw RegistryError("registry copy: " + c.table + " has " + std::to_string(c.source) +
                          " rows in the source and " + std::to_string(c.target) +
                          " in the target (the target already held others?)");
  return counts;
}

nlohmann::json event_payload(const std::string& type, const std::string& submission,
                             const std::string& bundle, const std::string& at,
                             const nlohmann::json& detail) {
  nlohmann::json p = {
      {"type", type}, {"submission_id", submission}, {"bundle", bundle}, {"at", at}};
  for (const auto& [k, v] : detail.items()) p[k] = v;
  return p;
}

nlohmann::json outcome_event_detail(const nlohmann::json& report) {
  nlohmann::json d = nlohmann::json::object();
  if (!report.is_object()) return d;
  if (report.contains("registration_number") && report["registration_number"].is_string())
    d["registration_number"] = report["registration_number"];
  nlohmann::json reasons = nlohmann::json::array();
  if (report.contains("findings") && report["findings"].is_array())
    for (const auto& f : report["findings"]) {
      if (!f.is_object() || f.value("severity", "") == "info") continue;
      reasons.push_back({{"code", f.value("code", "")},
                         {"severity", f.value("severity", "")},
                         {"message", f.contains("message") ? f["message"] : nlohmann::json()}});
    }
  d["reasons"] = reasons;
  const bool clerk = report.contains("decision") && report["decision"].is_object();
  d["decided_by"] = clerk ? "clerk" : "automatic";
  if (clerk)
    d["decision"] = {{"action", report["decision"].value("action", "")},
                     {"at", report["decision"].value("at", "")}};
  return d;
}

std::string registry_url_problem(const std::string& url) {
  if (url.empty()) return "";
  if (url.rfind("sqlite:", 0) == 0) return url.size() > 7 ? "" : "sqlite: needs a file path";
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return "";
  return "'" + url + "' is neither sqlite:PATH nor postgresql://…";
}

std::unique_ptr<Registry> open_registry(const std::string& url, const fs::path& spool_root,
                                        bool read_only) {
  if (const auto problem = registry_url_problem(url); !problem.empty())
    throw RegistryError("registry url: " + problem);
  if (url.empty()) return open_sqlite_registry(registry_file(spool_root), read_only);
  if (url.rfind("sqlite:", 0) == 0) return open_sqlite_registry(url.substr(7), read_only);
  return open_postgresql_registry(url, read_only);
}

fs::path registry_file(const fs::path& spool_root) {
  return spool_root / "state" / "registry.sqlite";
}

}  // namespace sot::registry
