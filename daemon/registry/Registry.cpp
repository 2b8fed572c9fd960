#include "registry/Registry.hpp"

#include <openssl/evp.h>
#include <sqlite3.h>

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

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string now_text() {
  return format_rfc3339(SystemClock{}.now(), 0);
}

class SqliteRegistry final : public Registry {
 public:
  SqliteRegistry(const fs::path& file, bool read_only);
  ~SqliteRegistry() override { sqlite3_close(db_); }
  SqliteRegistry(const SqliteRegistry&) = delete;
  SqliteRegistry& operator=(const SqliteRegistry&) = delete;

  void transition(const std::string& bundle, const std::string& state,
                  const std::optional<std::string>& submission_id) override;
  std::string assign_number(const std::string& bundle, const std::string& court, int year,
                            const std::string& format) override;
  void commit_decision(const std::string& bundle, const std::string& outcome,
                       const std::string& report_text) override;
  std::optional<PendingDecision> pending_decision(const std::string& bundle) override;
  void record_outcome(const std::string& bundle, const std::string& placed_as,
                      const std::string& outcome, const nlohmann::json& report) override;
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
  void acknowledge(const std::string& bundle, const std::string& manifest_sha256) override;
  std::string acknowledged_manifest(const std::string& bundle) override;
  void set_legal_hold(const std::string& bundle, bool on) override;
  bool legal_hold(const std::string& bundle) override;
  std::string integrity_check() override;
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
};

constexpr const char* kRecordColumns =
    "b.id, COALESCE(b.submission_id,''), b.state, COALESCE(b.outcome,''), "
    "COALESCE(b.placed_as,''), COALESCE(b.registration_number,''), COALESCE(b.court,''), "
    "COALESCE((SELECT MIN(at) FROM transitions t WHERE t.bundle=b.id), b.updated_at), "
    "b.updated_at, b.report";

SqliteRegistry::SqliteRegistry(const fs::path& file, bool read_only) {
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

void SqliteRegistry::transition(const std::string& bundle, const std::string& state,
                                const std::optional<std::string>& submission_id) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
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
  });
}

std::string SqliteRegistry::assign_number(const std::string& bundle, const std::string& court,
                                          int year, const std::string& format) {
  std::lock_guard lock(mutex_);
  return in_transaction([&]() -> std::string {
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
                                    const std::string& outcome, const nlohmann::json& report) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
    const std::string at = now_text();
    Statement up(db_,
                 "INSERT INTO bundles(id, submission_id, state, outcome, placed_as, report, "
                 "updated_at) VALUES(?,?, 'decided', ?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                 "state='decided', outcome=excluded.outcome, placed_as=excluded.placed_as, "
                 "report=excluded.report, submission_id=COALESCE(excluded.submission_id, "
                 "submission_id), updated_at=excluded.updated_at");
    up.bind(1, bundle);
    if (report.contains("submission_id") && report["submission_id"].is_string())
      up.bind(2, report["submission_id"].get<std::string>());
    else
      up.bind_null(2);
    up.bind(3, outcome)
        .bind(4, placed_as)
        .bind(5, report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .bind(6, at)
        .step();
    Statement(db_, "INSERT INTO transitions(bundle, state, at) VALUES(?,?,?)")
        .bind(1, bundle)
        .bind(2, outcome)
        .bind(3, at)
        .step();
    Statement(db_, "UPDATE decisions SET done=1 WHERE bundle=?").bind(1, bundle).step();
  });
}

void SqliteRegistry::commit_decision(const std::string& bundle, const std::string& outcome,
                                     const std::string& report_text) {
  std::lock_guard lock(mutex_);
  in_transaction([&] {
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
                    " FROM bundles b WHERE b.report IS NOT NULL AND json_valid(b.report)"
                    " AND json_extract(b.report, '$.filing.resubmission_of')=?"
                    " ORDER BY b.updated_at, b.id")
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

std::string SqliteRegistry::integrity_check() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "PRAGMA integrity_check");
  return s.step() ? s.text(0) : "";
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

fs::path registry_file(const fs::path& spool_root) {
  return spool_root / "state" / "registry.sqlite";
}

}  // namespace sot::registry
