#include "registry/Registry.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

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

}  // namespace

Registry::Registry(const fs::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw RegistryError("cannot open " + file.string() + ": " + why);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
  exec(
      "CREATE TABLE IF NOT EXISTS bundles("
      " id TEXT PRIMARY KEY, submission_id TEXT, state TEXT NOT NULL, outcome TEXT,"
      " placed_as TEXT, registration_number TEXT UNIQUE, court TEXT, reg_year INTEGER,"
      " reg_seq INTEGER, report TEXT, updated_at TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS transitions("
      " bundle TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS counters("
      " court TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL,"
      " PRIMARY KEY(court, year));"
      "CREATE UNIQUE INDEX IF NOT EXISTS registration_seq ON bundles(court, reg_year, reg_seq);");
}

Registry::~Registry() {
  sqlite3_close(db_);
}

void Registry::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "unknown";
    sqlite3_free(err);
    throw RegistryError(std::string("registry: ") + why + " (" + std::string(sql).substr(0, 60) +
                        ")");
  }
}

void Registry::transition(const std::string& bundle, const std::string& state,
                          const std::optional<std::string>& submission_id) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
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
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::string Registry::assign_number(const std::string& bundle, const std::string& court, int year) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    {
      Statement have(db_, "SELECT registration_number FROM bundles WHERE id=?");
      have.bind(1, bundle);
      if (have.step() && !have.is_null(0)) {
        std::string n = have.text(0);
        exec("COMMIT");
        return n;
      }
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
    char seq[24];
    std::snprintf(seq, sizeof seq, "%06lld", next);
    const std::string number = court + "-" + std::to_string(year) + "-" + seq;
    const std::string at = now_text();
    Statement up(db_,
                 "INSERT INTO bundles(id, state, registration_number, court, reg_year, reg_seq,"
                 " updated_at) VALUES(?, 'numbered', ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                 "registration_number=excluded.registration_number, court=excluded.court, "
                 "reg_year=excluded.reg_year, reg_seq=excluded.reg_seq, "
                 "updated_at=excluded.updated_at");
    up.bind(1, bundle).bind(2, number).bind(3, court).bind(4, year).bind(5, next).bind(6, at);
    up.step();
    Statement(db_, "INSERT INTO transitions(bundle, state, at) VALUES(?, 'numbered', ?)")
        .bind(1, bundle)
        .bind(2, at)
        .step();
    exec("COMMIT");
    return number;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Registry::record_outcome(const std::string& bundle, const std::string& placed_as,
                              const std::string& outcome, const nlohmann::json& report) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
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
    up.bind(3, outcome).bind(4, placed_as).bind(5, report.dump()).bind(6, at).step();
    Statement(db_, "INSERT INTO transitions(bundle, state, at) VALUES(?,?,?)")
        .bind(1, bundle)
        .bind(2, outcome)
        .bind(3, at)
        .step();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

bool Registry::decided(const std::string& bundle) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT 1 FROM bundles WHERE id=? AND state='decided'");
  s.bind(1, bundle);
  return s.step();
}

int Registry::reconcile(const fs::path& spool_root) {
  int recorded = 0;
  for (const char* outcome : {"registered", "rejected", "review"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(spool_root / outcome, ec)) {
      const fs::path report_path = e.path() / "result" / "report.json";
      std::ifstream in(report_path, std::ios::binary);
      if (!in) continue;
      std::ostringstream ss;
      ss << in.rdbuf();
      nlohmann::json report;
      try {
        report = nlohmann::json::parse(ss.str());
      } catch (const nlohmann::json::exception&) {
        continue;
      }
      const std::string bundle = report.value("bundle", e.path().filename().string());
      const std::string placed = e.path().filename().string();
      bool known = false;
      {
        std::lock_guard lock(mutex_);
        Statement s(db_, "SELECT 1 FROM bundles WHERE id=? AND state='decided' AND placed_as=?");
        s.bind(1, bundle).bind(2, placed);
        known = s.step();
      }
      if (known) continue;
      record_outcome(bundle, placed, outcome, report);
      ++recorded;
    }
  }
  return recorded;
}

std::string Registry::integrity_check() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "PRAGMA integrity_check");
  return s.step() ? s.text(0) : "";
}

int Registry::count(const std::string& what) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM bundles WHERE state=? OR outcome=?");
  s.bind(1, what).bind(2, what);
  return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

}  // namespace sot::registry
