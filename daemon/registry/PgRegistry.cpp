// The registry in PostgreSQL: several daemons on several hosts, one registry (Registry.hpp).
//
// One connection per Registry object, its calls serialised (the daemon's workers, the review
// UI and the lease keeper share it). Every call is one transaction at READ COMMITTED with the
// rows it changes locked: a claim skips rows another transaction holds (FOR UPDATE SKIP
// LOCKED), a fenced write locks its work row and compares the token, a number locks the
// counter row of its court and year. Times of leases come from the server's clock, so that
// the hosts' clocks never decide who holds a bundle.
//
// A lost connection (server restart, network) is retried: the transaction is run again from
// its start on a new connection, with back-off, for up to `reconnect_for`; only then does the
// call throw RegistryError. connected() says whether the server answers now.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>

#include "config/Config.hpp"
#include "core/Time.hpp"
#include "registry/Registry.hpp"
#include "registry/SqlCommon.hpp"

namespace sot::registry {

namespace {

using sql::kEventColumns;
using sql::kEventState;
using sql::kRecordColumns;
using sql::now_text;
using sql::resubmission_of;
using sql::rfc3339_ms;

// The server's clock, in milliseconds since the epoch.
constexpr const char* kNowMs = "(extract(epoch from clock_timestamp())*1000)::bigint";

// A connection or serialisation failure: the whole transaction is run again.
class Retry : public RegistryError {
 public:
  using RegistryError::RegistryError;
};

using Param = std::optional<std::string>;

class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;
  int rows() const { return PQntuples(r_); }
  int columns() const { return PQnfields(r_); }
  std::string text(int row, int col) const { return PQgetvalue(r_, row, col); }
  long long integer(int row, int col) const { return std::stoll(PQgetvalue(r_, row, col)); }
  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  bool is_integer(int col) const {
    const Oid t = PQftype(r_, col);
    return t == 20 || t == 21 || t == 23;  // int8, int2, int4
  }
  bool ok() const {
    const auto st = PQresultStatus(r_);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  }
  std::string sqlstate() const {
    const char* s = r_ ? PQresultErrorField(r_, PG_DIAG_SQLSTATE) : nullptr;
    return s ? s : "";
  }
  std::string error() const {
    std::string m = r_ ? PQresultErrorMessage(r_) : "";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
  }
  long long affected() const {
    const char* n = PQcmdTuples(r_);
    return n && *n ? std::stoll(n) : 0;
  }

 private:
  PGresult* r_;
};

// The schema in PostgreSQL's words, step by step as in SQLite (the same versions, the same
// tables and columns; integers are bigint, times RFC 3339 text as in SQLite, lease expiries
// milliseconds of the server's clock).
const std::vector<std::pair<int, const char*>> kPgMigrations = {
    {1,
     "CREATE TABLE IF NOT EXISTS bundles("
     " id TEXT PRIMARY KEY, submission_id TEXT, state TEXT NOT NULL, outcome TEXT,"
     " placed_as TEXT, registration_number TEXT UNIQUE, court TEXT, reg_year BIGINT,"
     " reg_seq BIGINT, report TEXT, updated_at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS transitions("
     " id BIGSERIAL PRIMARY KEY, bundle TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS counters("
     " court TEXT NOT NULL, year BIGINT NOT NULL, last BIGINT NOT NULL, PRIMARY KEY(court, year));"
     "CREATE TABLE IF NOT EXISTS audit("
     " id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,"
     " action TEXT NOT NULL, bundle TEXT NOT NULL, detail TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS assignments("
     " bundle TEXT PRIMARY KEY, clerk TEXT NOT NULL, at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS decisions("
     " bundle TEXT PRIMARY KEY, outcome TEXT NOT NULL, report TEXT NOT NULL,"
     " report_sha256 TEXT NOT NULL, at TEXT NOT NULL, done BIGINT NOT NULL DEFAULT 0);"
     "CREATE UNIQUE INDEX IF NOT EXISTS registration_seq ON bundles(court, reg_year, reg_seq);"
     "CREATE INDEX IF NOT EXISTS bundles_submission ON bundles(submission_id);"
     "CREATE INDEX IF NOT EXISTS bundles_updated ON bundles(updated_at, id);"
     "CREATE INDEX IF NOT EXISTS transitions_bundle ON transitions(bundle);"
     "CREATE INDEX IF NOT EXISTS audit_bundle ON audit(bundle);"},
    {2,
     "CREATE TABLE IF NOT EXISTS holds(bundle TEXT PRIMARY KEY, at TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS arrivals("
     " bundle TEXT PRIMARY KEY, manifest_sha256 TEXT NOT NULL, at TEXT NOT NULL);"},
    {3,
     "CREATE TABLE IF NOT EXISTS work("
     " bundle TEXT PRIMARY KEY, enqueued_at TEXT NOT NULL, holder TEXT,"
     " token BIGINT NOT NULL DEFAULT 0, expires_ms BIGINT NOT NULL DEFAULT 0);"
     "CREATE INDEX IF NOT EXISTS work_order ON work(enqueued_at, bundle);"
     "CREATE INDEX IF NOT EXISTS work_holder ON work(holder);"
     "CREATE TABLE IF NOT EXISTS decision_holds("
     " bundle TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_ms BIGINT NOT NULL);"
     "CREATE SEQUENCE IF NOT EXISTS fencing_token;"
     "ALTER TABLE bundles ADD COLUMN IF NOT EXISTS resubmission_of TEXT;"
     "CREATE INDEX IF NOT EXISTS bundles_resubmission ON bundles(resubmission_of);"},
    {4,
     "CREATE TABLE IF NOT EXISTS outbox("
     " id BIGSERIAL PRIMARY KEY, submission TEXT NOT NULL, bundle TEXT NOT NULL,"
     " type TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,"
     " created_ms BIGINT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,"
     " next_ms BIGINT NOT NULL DEFAULT 0, delivered_at TEXT, dead_at TEXT, last_error TEXT);"
     "CREATE INDEX IF NOT EXISTS outbox_submission ON outbox(submission, id);"
     "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(id) WHERE delivered_at IS NULL AND"
     " dead_at IS NULL;"},
    {5,
     "CREATE TABLE IF NOT EXISTS preferences("
     " login TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL,"
     " PRIMARY KEY(login, name));"},
};

// The conninfo without its password, for logs and /healthz.
std::string without_password(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    PQfreemem(err);
    return "postgresql (unparsable conninfo)";
  }
  std::string host, port, db, user;
  for (auto* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string k = o->keyword;
    if (k == "host") host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
    if (k == "user") user = o->val;
  }
  PQconninfoFree(opts);
  return "postgresql://" + (user.empty() ? "" : user + "@") + host +
         (port.empty() ? "" : ":" + port) + "/" + db;
}

class PgRegistry final : public Registry {
 public:
  PgRegistry(std::string conninfo, bool read_only, std::chrono::milliseconds reconnect_for)
      : conninfo_(std::move(conninfo)), read_only_(read_only), reconnect_for_(reconnect_for) {
    std::lock_guard lock(mutex_);
    connect_once();
    if (!conn_ok())
      throw RegistryError("cannot connect to " + without_password(conninfo_) + ": " + why());
    if (read_only_) {
      transaction([&] { check_version(schema_version()); });
    } else {
      migrate();
    }
  }
  ~PgRegistry() override {
    if (conn_) PQfinish(conn_);
    if (listen_) PQfinish(listen_);
  }
  PgRegistry(const PgRegistry&) = delete;
  PgRegistry& operator=(const PgRegistry&) = delete;

  void transition(const std::string& bundle, const std::string& state,
                  const std::optional<std::string>& submission_id, Token token) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      check_fence(bundle, token);
      const std::string at = now_text();
      exec(
          "INSERT INTO bundles(id, submission_id, state, updated_at) VALUES($1,$2,$3,$4) "
          "ON CONFLICT(id) DO UPDATE SET state=excluded.state, "
          "submission_id=COALESCE(excluded.submission_id, bundles.submission_id), "
          "updated_at=excluded.updated_at",
          {bundle, submission_id, state, at});
      exec("INSERT INTO transitions(bundle, state, at) VALUES($1,$2,$3)", {bundle, state, at});
      if (state == "processing") add_event("checking", bundle, nlohmann::json::object());
    });
  }

  std::string assign_number(const std::string& bundle, const std::string& court, int year,
                            const std::string& format, Token token) override {
    std::lock_guard lock(mutex_);
    return transaction([&]() -> std::string {
      check_fence(bundle, token);
      const std::string at = now_text();
      // The bundle's row locked first: two numbers for one bundle can never be given.
      exec(
          "INSERT INTO bundles(id, state, updated_at) VALUES($1, 'received', $2) "
          "ON CONFLICT(id) DO NOTHING",
          {bundle, at});
      {
        const Result have =
            exec("SELECT registration_number FROM bundles WHERE id=$1 FOR UPDATE", {bundle});
        if (have.rows() > 0 && !have.is_null(0, 0)) return have.text(0, 0);
      }
      const std::string y = std::to_string(year);
      exec("INSERT INTO counters(court, year, last) VALUES($1,$2,0) ON CONFLICT DO NOTHING",
           {court, y});
      // The counter row stays locked until this transaction commits with the number.
      const Result c = exec(
          "UPDATE counters SET last=last+1 WHERE court=$1 AND year=$2 RETURNING last", {court, y});
      const long long next = c.integer(0, 0);
      const std::string number = format_registration_number(format, court, year, next);
      exec(
          "UPDATE bundles SET state='numbered', registration_number=$2, court=$3, reg_year=$4, "
          "reg_seq=$5, updated_at=$6 WHERE id=$1",
          {bundle, number, court, y, std::to_string(next), at});
      exec("INSERT INTO transitions(bundle, state, at) VALUES($1, 'numbered', $2)", {bundle, at});
      return number;
    });
  }

  void commit_decision(const std::string& bundle, const std::string& outcome,
                       const std::string& report_text, Token token) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      check_fence(bundle, token);
      exec(
          "INSERT INTO decisions(bundle, outcome, report, report_sha256, at, done) "
          "VALUES($1,$2,$3,$4,$5,0) ON CONFLICT(bundle) DO UPDATE SET outcome=excluded.outcome, "
          "report=excluded.report, report_sha256=excluded.report_sha256, at=excluded.at, done=0",
          {bundle, outcome, report_text, sha256_hex(report_text), now_text()});
    });
  }

  std::optional<PendingDecision> pending_decision(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&]() -> std::optional<PendingDecision> {
      const Result r =
          exec("SELECT outcome, report, report_sha256 FROM decisions WHERE bundle=$1 AND done=0",
               {bundle});
      if (r.rows() == 0) return std::nullopt;
      return PendingDecision{r.text(0, 0), r.text(0, 1), r.text(0, 2)};
    });
  }

  void record_outcome(const std::string& bundle, const std::string& placed_as,
                      const std::string& outcome, const nlohmann::json& report,
                      Token token) override {
    const std::string text = report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    Param submission;
    if (report.contains("submission_id") && report["submission_id"].is_string())
      submission = report["submission_id"].get<std::string>();
    std::lock_guard lock(mutex_);
    transaction([&] {
      check_fence(bundle, token);
      const std::string at = now_text();
      exec(
          "INSERT INTO bundles(id, submission_id, state, outcome, placed_as, report, updated_at,"
          " resubmission_of) VALUES($1,$2,'decided',$3,$4,$5,$6,$7) ON CONFLICT(id) DO UPDATE "
          "SET state='decided', outcome=excluded.outcome, placed_as=excluded.placed_as, "
          "report=excluded.report, submission_id=COALESCE(excluded.submission_id, "
          "bundles.submission_id), updated_at=excluded.updated_at, "
          "resubmission_of=excluded.resubmission_of",
          {bundle, submission, outcome, placed_as, text, at, resubmission_of(report)});
      exec("INSERT INTO transitions(bundle, state, at) VALUES($1,$2,$3)", {bundle, outcome, at});
      exec("UPDATE decisions SET done=1 WHERE bundle=$1", {bundle});
      exec("DELETE FROM work WHERE bundle=$1", {bundle});
      add_event(outcome == "registered" || outcome == "rejected" ? outcome : "review", bundle,
                outcome_event_detail(report));
    });
  }

  bool enqueue(const std::string& bundle, const std::string& arrived_at) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const bool added = exec(
                             "INSERT INTO work(bundle, enqueued_at) VALUES($1,$2) "
                             "ON CONFLICT DO NOTHING",
                             {bundle, arrived_at})
                             .affected() > 0;
      // Idle daemons wake at once (they also poll, should a notification be lost).
      if (added) exec("NOTIFY sot_work", {});
      return added;
    });
  }

  std::vector<Claim> claim(const std::string& instance, std::chrono::milliseconds lease,
                           std::size_t n) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec(
          std::string("WITH c AS (SELECT bundle, COALESCE(holder,'') AS prev, enqueued_at FROM "
                      "work WHERE holder IS NULL OR expires_ms < ") +
              kNowMs +
              " ORDER BY enqueued_at, bundle LIMIT $3 FOR UPDATE SKIP LOCKED) "
              "UPDATE work w SET holder=$1, token=nextval('fencing_token'), expires_ms=" +
              kNowMs +
              " + $2 FROM c WHERE w.bundle=c.bundle "
              "RETURNING w.bundle, w.token, c.prev, c.enqueued_at",
          {instance, std::to_string(lease.count()), std::to_string(n)});
      std::vector<std::pair<std::string, Claim>> got;
      for (int i = 0; i < r.rows(); ++i)
        got.push_back({r.text(i, 3) + "\n" + r.text(i, 0),
                       Claim{r.text(i, 0), r.integer(i, 1), r.text(i, 2)}});
      std::sort(got.begin(), got.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<Claim> out;
      for (auto& g : got) out.push_back(std::move(g.second));
      return out;
    });
  }

  std::size_t heartbeat(const std::string& instance, const std::vector<Token>& tokens,
                        std::chrono::milliseconds lease) override {
    if (tokens.empty()) return 0;
    std::string list = "{";
    for (std::size_t i = 0; i < tokens.size(); ++i)
      list += (i ? "," : "") + std::to_string(tokens[i]);
    list += "}";
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return static_cast<std::size_t>(
          exec(std::string("UPDATE work SET expires_ms=") + kNowMs +
                   " + $2 WHERE holder=$1 AND token = ANY($3::bigint[])",
               {instance, std::to_string(lease.count()), list})
              .affected());
    });
  }

  bool fence(const std::string& bundle, Token token, std::chrono::milliseconds lease) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return exec(std::string("UPDATE work SET expires_ms=") + kNowMs +
                      " + $3 WHERE bundle=$1 AND token=$2",
                  {bundle, std::to_string(token), std::to_string(lease.count())})
                 .affected() > 0;
    });
  }

  void drop(const std::string& bundle, Token token) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec("DELETE FROM work WHERE bundle=$1 AND token=$2", {bundle, std::to_string(token)});
    });
  }

  int expire_leases(const std::string& instance) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return static_cast<int>(
          exec("UPDATE work SET expires_ms=0 WHERE holder=$1", {instance}).affected());
    });
  }

  std::vector<LeaseInfo> leases() override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec(
          "SELECT bundle, holder, token, expires_ms FROM work WHERE holder IS NOT NULL "
          "ORDER BY enqueued_at, bundle",
          {});
      std::vector<LeaseInfo> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), rfc3339_ms(r.integer(i, 3))});
      return out;
    });
  }

  std::size_t waiting() override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return static_cast<std::size_t>(
          exec(std::string("SELECT COUNT(*) FROM work WHERE holder IS NULL OR expires_ms < ") +
                   kNowMs,
               {})
              .integer(0, 0));
    });
  }

  void enable_outbox(bool on) override { outbox_ = on; }

  std::vector<OutboxEvent> due_events(std::chrono::milliseconds lease, std::size_t n) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      // Locked while set aside, skipped by the other daemons' same query.
      const Result r = exec(
          std::string("SELECT ") + kEventColumns +
              " FROM outbox o WHERE delivered_at IS NULL AND dead_at IS NULL AND next_ms <= " +
              kNowMs +
              " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.submission=o.submission AND "
              "p.id<o.id AND p.delivered_at IS NULL AND p.dead_at IS NULL) ORDER BY id LIMIT $1 "
              "FOR UPDATE SKIP LOCKED",
          {std::to_string(n)});
      auto out = read_events(r);
      for (const auto& e : out)
        exec(std::string("UPDATE outbox SET next_ms=") + kNowMs + " + $2 WHERE id=$1",
             {std::to_string(e.id), std::to_string(lease.count())});
      return out;
    });
  }

  void event_delivered(long long id) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec("UPDATE outbox SET delivered_at=$2, attempts=attempts+1 WHERE id=$1",
           {std::to_string(id), now_text()});
    });
  }

  void event_failed(long long id, const std::string& error, std::chrono::milliseconds retry_in,
                    bool dead) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec(std::string("UPDATE outbox SET attempts=attempts+1, last_error=$2, next_ms=") + kNowMs +
               " + $3, dead_at=$4 WHERE id=$1 AND delivered_at IS NULL",
           {std::to_string(id), error.substr(0, 500), std::to_string(retry_in.count()),
            dead ? Param(now_text()) : Param()});
    });
  }

  std::vector<OutboxEvent> events(const std::string& state, const std::string& submission,
                                  std::size_t limit) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return read_events(exec(std::string("SELECT ") + kEventColumns +
                                  " FROM outbox WHERE ($1='' OR " + kEventState +
                                  "=$1) AND ($2='' OR submission=$2) ORDER BY id LIMIT $3",
                              {state, submission, std::to_string(limit)}));
    });
  }

  int retry_events(long long id) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return static_cast<int>(exec("UPDATE outbox SET dead_at=NULL, next_ms=0 WHERE dead_at IS "
                                   "NOT NULL AND delivered_at IS NULL AND ($1=0 OR id=$1)",
                                   {std::to_string(id)})
                                  .affected());
    });
  }

  std::size_t events_pending() override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return static_cast<std::size_t>(
          exec("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL", {})
              .integer(0, 0));
    });
  }

  bool begin_decision(const std::string& bundle, const std::string& holder,
                      std::chrono::milliseconds lease) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return exec(std::string("INSERT INTO decision_holds(bundle, holder, expires_ms) VALUES($1, "
                              "$2, ") +
                      kNowMs +
                      " + $3) ON CONFLICT(bundle) DO UPDATE SET holder=excluded.holder, "
                      "expires_ms=excluded.expires_ms WHERE decision_holds.expires_ms < " +
                      kNowMs,
                  {bundle, holder, std::to_string(lease.count())})
                 .affected() > 0;
    });
  }

  void end_decision(const std::string& bundle, const std::string& holder) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec("DELETE FROM decision_holds WHERE bundle=$1 AND holder=$2", {bundle, holder});
    });
  }

  std::string decision_holder(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec(std::string("SELECT holder FROM decision_holds WHERE bundle=$1 AND "
                                        "expires_ms >= ") +
                                kNowMs,
                            {bundle});
      return r.rows() ? r.text(0, 0) : std::string();
    });
  }

  bool decided(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return exec("SELECT 1 FROM bundles WHERE id=$1 AND state='decided'", {bundle}).rows() > 0;
    });
  }

  std::optional<BundleRecord> find(const std::string& bundle) override {
    auto r = records(std::string("SELECT ") + kRecordColumns + " FROM bundles b WHERE b.id=$1",
                     {bundle});
    if (r.empty()) return std::nullopt;
    return std::move(r.front());
  }

  std::vector<BundleRecord> by_submission(const std::string& submission_id) override {
    return records(std::string("SELECT ") + kRecordColumns +
                       " FROM bundles b WHERE b.submission_id=$1 ORDER BY b.updated_at DESC, b.id",
                   {submission_id});
  }

  std::vector<BundleRecord> resubmissions_of(const std::string& submission_id) override {
    return records(std::string("SELECT ") + kRecordColumns +
                       " FROM bundles b WHERE b.resubmission_of=$1 ORDER BY b.updated_at, b.id",
                   {submission_id});
  }

  std::vector<BundleRecord> list(const ListQuery& q) override {
    return records(std::string("SELECT ") + kRecordColumns +
                       " FROM bundles b WHERE ($1='' OR b.outcome=$1) AND ($2='' OR "
                       "b.updated_at>=$2) AND ($3='' OR b.court=$3) ORDER BY b.updated_at, b.id "
                       "LIMIT $4",
                   {q.outcome, q.since, q.court, std::to_string(q.limit)});
  }

  std::vector<Transition> transitions(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r =
          exec("SELECT state, at FROM transitions WHERE bundle=$1 ORDER BY id", {bundle});
      std::vector<Transition> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1)});
      return out;
    });
  }

  void audit(const std::string& actor, const std::string& action, const std::string& bundle,
             const nlohmann::json& detail) override {
    const std::string d = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec("INSERT INTO audit(at, actor, action, bundle, detail) VALUES($1,$2,$3,$4,$5)",
           {now_text(), actor, action, bundle, d});
    });
  }

  std::vector<AuditEntry> audit_trail(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec(
          "SELECT id, at, actor, action, bundle, detail FROM audit WHERE $1='' OR bundle=$1 "
          "ORDER BY id",
          {bundle});
      std::vector<AuditEntry> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                       nlohmann::json::parse(r.text(i, 5), nullptr, false)});
      return out;
    });
  }

  void set_assignee(const std::string& bundle, const std::string& clerk) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec(
          "INSERT INTO assignments(bundle, clerk, at) VALUES($1,$2,$3) ON CONFLICT(bundle) DO "
          "UPDATE SET clerk=excluded.clerk, at=excluded.at",
          {bundle, clerk, now_text()});
    });
  }

  std::map<std::string, std::string> assignees() override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec("SELECT bundle, clerk FROM assignments WHERE clerk<>''", {});
      std::map<std::string, std::string> out;
      for (int i = 0; i < r.rows(); ++i) out[r.text(i, 0)] = r.text(i, 1);
      return out;
    });
  }

  void set_preference(const std::string& login, const std::string& name,
                      const std::string& value) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      exec(
          "INSERT INTO preferences(login, name, value, at) VALUES($1,$2,$3,$4) "
          "ON CONFLICT(login, name) DO UPDATE SET value=excluded.value, at=excluded.at",
          {login, name, value, now_text()});
    });
  }

  std::string preference(const std::string& login, const std::string& name) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r =
          exec("SELECT value FROM preferences WHERE login=$1 AND name=$2", {login, name});
      return r.rows() ? r.text(0, 0) : std::string();
    });
  }

  std::string assignee(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec("SELECT clerk FROM assignments WHERE bundle=$1", {bundle});
      return r.rows() ? r.text(0, 0) : std::string();
    });
  }

  void acknowledge(const std::string& bundle, const std::string& manifest_sha256) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      if (exec("INSERT INTO arrivals(bundle, manifest_sha256, at) VALUES($1,$2,$3) "
               "ON CONFLICT(bundle) DO NOTHING",
               {bundle, manifest_sha256, now_text()})
              .affected() > 0)
        add_event("received", bundle, {{"manifest_sha256", manifest_sha256}});
    });
  }

  std::string acknowledged_manifest(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec("SELECT manifest_sha256 FROM arrivals WHERE bundle=$1", {bundle});
      return r.rows() ? r.text(0, 0) : std::string();
    });
  }

  void set_legal_hold(const std::string& bundle, bool on) override {
    std::lock_guard lock(mutex_);
    transaction([&] {
      if (on)
        exec("INSERT INTO holds(bundle, at) VALUES($1,$2) ON CONFLICT(bundle) DO NOTHING",
             {bundle, now_text()});
      else
        exec("DELETE FROM holds WHERE bundle=$1", {bundle});
    });
  }

  bool legal_hold(const std::string& bundle) override {
    std::lock_guard lock(mutex_);
    return transaction(
        [&] { return exec("SELECT 1 FROM holds WHERE bundle=$1", {bundle}).rows() > 0; });
  }

  std::string integrity_check() override {
    std::lock_guard lock(mutex_);
    return transaction([&]() -> std::string {
      const Result g = exec(
          "SELECT c.court, c.year, c.last, COUNT(b.reg_seq), COALESCE(MAX(b.reg_seq),0) "
          "FROM counters c LEFT JOIN bundles b ON b.court=c.court AND b.reg_year=c.year "
          "AND b.reg_seq IS NOT NULL GROUP BY c.court, c.year, c.last",
          {});
      for (int i = 0; i < g.rows(); ++i)
        if (g.integer(i, 2) != g.integer(i, 3) || g.integer(i, 2) != g.integer(i, 4))
          return "registration numbers of court " + g.text(i, 0) + ", " + g.text(i, 1) +
                 ": counter at " + g.text(i, 2) + ", " + g.text(i, 3) + " numbers given, highest " +
                 g.text(i, 4);
      return "ok";
    });
  }

  std::vector<nlohmann::json> rows(const std::string& table) override {
    const auto& cols = registry_columns(table);
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + cols[i];
    sql += " FROM " + table +
           (table == "transitions" || table == "audit" || table == "outbox" ? " ORDER BY id" : "");
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec(sql, {});
      std::vector<nlohmann::json> out;
      for (int i = 0; i < r.rows(); ++i) {
        nlohmann::json row = nlohmann::json::object();
        for (int c = 0; c < r.columns(); ++c) {
          const auto& name = cols[static_cast<std::size_t>(c)];
          if (r.is_null(i, c))
            row[name] = nullptr;
          else if (r.is_integer(c))
            row[name] = r.integer(i, c);
          else
            row[name] = r.text(i, c);
        }
        out.push_back(std::move(row));
      }
      return out;
    });
  }

  void insert_rows(const std::string& table, const std::vector<nlohmann::json>& rows) override {
    const auto& cols = registry_columns(table);
    std::string sql = "INSERT INTO " + table + "(";
    for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + cols[i];
    sql += ") VALUES(";
    for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ",$" : "$") + std::to_string(i + 1);
    sql += ") ON CONFLICT DO NOTHING";
    std::lock_guard lock(mutex_);
    transaction([&] {
      for (const auto& row : rows) {
        std::vector<Param> params;
        for (const auto& c : cols) {
          const auto& v = row.contains(c) ? row[c] : nlohmann::json();
          if (v.is_null())
            params.emplace_back(std::nullopt);
          else if (v.is_number_integer())
            params.emplace_back(std::to_string(v.get<long long>()));
          else
            params.emplace_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
        exec(sql, params);
      }
      // Serial columns go on after the ids copied.
      if (table == "transitions" || table == "audit" || table == "outbox")
        exec("SELECT setval(pg_get_serial_sequence('" + table +
                 "', 'id'), GREATEST((SELECT "
                 "MAX(id) FROM " +
                 table + "), 1))",
             {});
    });
  }

  long long row_count(const std::string& table) override {
    registry_columns(table);  // a known table only
    std::lock_guard lock(mutex_);
    return transaction([&] { return exec("SELECT COUNT(*) FROM " + table, {}).integer(0, 0); });
  }

  int wakeup_fd() override {
    std::lock_guard lock(listen_mutex_);
    if (listen_ && PQstatus(listen_) == CONNECTION_OK) return PQsocket(listen_);
    if (std::chrono::steady_clock::now() < listen_retry_) return -1;
    if (listen_) PQfinish(listen_);
    const char* keys[] = {"fallback_application_name", "connect_timeout", "dbname", nullptr};
    const char* values[] = {"sot-intake-listen", "2", conninfo_.c_str(), nullptr};
    listen_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(listen_) == CONNECTION_OK) {
      PGresult* r = PQexec(listen_, "LISTEN sot_work");
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (ok) return PQsocket(listen_);
    }
    PQfinish(listen_);
    listen_ = nullptr;
    listen_retry_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    return -1;
  }

  void consume_wakeups() override {
    std::lock_guard lock(listen_mutex_);
    if (!listen_) return;
    if (PQconsumeInput(listen_) == 0) {  // the server went away: listen again later
      PQfinish(listen_);
      listen_ = nullptr;
      return;
    }
    while (PGnotify* n = PQnotifies(listen_)) PQfreemem(n);
  }

  std::string describe() override { return without_password(conninfo_); }

  bool connected() override {
    std::lock_guard lock(mutex_);
    if (!conn_ok()) connect_once();
    if (!conn_ok()) return false;
    PGresult* r = PQexec(conn_, "SELECT 1");
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok;
  }

  int count(const std::string& what) override {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      return static_cast<int>(
          exec("SELECT COUNT(*) FROM bundles WHERE state=$1 OR outcome=$1", {what}).integer(0, 0));
    });
  }

 private:
  bool conn_ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
  std::string why() const {
    std::string m = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
  }

  void connect_once() {
    if (conn_) PQfinish(conn_);
    const char* keys[] = {"fallback_application_name", "connect_timeout", "dbname", nullptr};
    const char* values[] = {"sot-intake", "10", conninfo_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (!conn_ok()) return;
    PGresult* r =
        PQexec(conn_, read_only_ ? "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; "
                                   "SET client_min_messages=warning"
                                 : "SET client_min_messages=warning");
    PQclear(r);
  }

  // Runs `sql` with text parameters; a failure throws Retry (connection lost, serialisation
  // failure, deadlock) or RegistryError.
  Result exec(const std::string& sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    // Without parameters as a simple query (a migration step is several statements).
    Result r(values.empty() ? PQexec(conn_, sql.c_str())
                            : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                           nullptr, values.data(), nullptr, nullptr, 0));
    if (r.ok()) return r;
    fail(r, sql);
  }

  [[noreturn]] void fail(const Result& r, const std::string& sql) {
    const std::string state = r.sqlstate();
    const std::string message = r.error().empty() ? why() : r.error();
    if (!conn_ok() || state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state == "40001" ||
        state == "40P01" || state.empty())
      throw Retry("registry: " + message);
    throw RegistryError("registry: " + message + " (" + sql.substr(0, 60) + ")");
  }

  int schema_version() {
    if (exec("SELECT to_regclass('schema_version') IS NULL", {}).text(0, 0) == "t") {
      if (read_only_) return 0;
      exec("CREATE TABLE schema_version(version INTEGER NOT NULL)", {});
    }
    const Result r = exec("SELECT version FROM schema_version", {});
    return r.rows() ? static_cast<int>(r.integer(0, 0)) : 0;
  }

  void check_version(int version) const {
    if (version > kSchemaVersion)
      throw RegistryError("the registry's schema is version " + std::to_string(version) +
                          ", newer than this program's " + std::to_string(kSchemaVersion) +
                          ": refusing to use it (run the newer sot-intake)");
  }

  void migrate() {
    transaction([&] {
      // One migrator at a time, whichever host starts first.
      exec("SELECT pg_advisory_xact_lock(7340211)", {});
      const int version = schema_version();
      check_version(version);
      for (const auto& [to, sql] : kPgMigrations) {
        if (to <= version) continue;
        exec(sql, {});
        exec("DELETE FROM schema_version", {});
        exec("INSERT INTO schema_version(version) VALUES($1)", {std::to_string(to)});
      }
    });
  }

  void add_event(const std::string& type, const std::string& bundle, const nlohmann::json& detail) {
    if (!outbox_) return;
    std::string submission = bundle;
    const Result r = exec(
        "SELECT submission_id FROM bundles WHERE id=$1 AND submission_id IS NOT NULL", {bundle});
    if (r.rows()) submission = r.text(0, 0);
    const std::string at = now_text();
    exec(std::string("INSERT INTO outbox(submission, bundle, type, payload, created_at, "
                     "created_ms) VALUES($1,$2,$3,$4,$5,") +
             kNowMs + ")",
         {submission, bundle, type,
          event_payload(type, submission, bundle, at, detail)
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          at});
  }

  static std::vector<OutboxEvent> read_events(const Result& r) {
    std::vector<OutboxEvent> out;
    for (int i = 0; i < r.rows(); ++i) {
      OutboxEvent e;
      e.id = r.integer(i, 0);
      e.submission = r.text(i, 1);
      e.bundle = r.text(i, 2);
      e.type = r.text(i, 3);
      e.payload = nlohmann::json::parse(r.text(i, 4), nullptr, false);
      e.created_at = r.text(i, 5);
      e.attempts = static_cast<int>(r.integer(i, 6));
      e.state = r.text(i, 7);
      e.last_error = r.text(i, 8);
      e.delivered_at = r.text(i, 9);
      out.push_back(std::move(e));
    }
    return out;
  }

  void check_fence(const std::string& bundle, Token token) {
    if (token == 0) return;
    // Locked until the write commits: nobody claims the bundle in between.
    const Result r = exec("SELECT token FROM work WHERE bundle=$1 FOR UPDATE", {bundle});
    if (r.rows() == 0 || r.integer(0, 0) != token)
      throw StaleLease("the lease on " + bundle + " (token " + std::to_string(token) +
                       ") is no longer held");
  }

  std::vector<BundleRecord> records(const std::string& sql, const std::vector<Param>& params) {
    std::lock_guard lock(mutex_);
    return transaction([&] {
      const Result r = exec(sql, params);
      std::vector<BundleRecord> out;
      for (int i = 0; i < r.rows(); ++i) {
        BundleRecord b;
        b.id = r.text(i, 0);
        b.submission_id = r.text(i, 1);
        b.state = r.text(i, 2);
        b.outcome = r.text(i, 3);
        b.placed_as = r.text(i, 4);
        b.registration_number = r.text(i, 5);
        b.court = r.text(i, 6);
        b.received_at = r.text(i, 7);
        b.updated_at = r.text(i, 8);
        if (!r.is_null(i, 9)) b.report = nlohmann::json::parse(r.text(i, 9), nullptr, false);
        out.push_back(std::move(b));
      }
      return out;
    });
  }

  // Runs `body` in BEGIN … COMMIT. A lost connection or a serialisation failure runs it again
  // (a new connection, back-off up to a second) until `reconnect_for_` has passed.
  template <typename F>
  std::invoke_result_t<F> transaction(F body) {
    const auto deadline = std::chrono::steady_clock::now() + reconnect_for_;
    std::chrono::milliseconds pause(50);
    for (;;) {
      try {
        if (!conn_ok()) {
          connect_once();
          if (!conn_ok()) throw Retry("registry: cannot connect: " + why());
        }
        exec("BEGIN", {});
        if constexpr (std::is_void_v<decltype(body())>) {
          body();
          exec("COMMIT", {});
          return;
        } else {
          auto r = body();
          exec("COMMIT", {});
          return r;
        }
      } catch (const Retry& e) {
        if (conn_ok()) PQclear(PQexec(conn_, "ROLLBACK"));
        if (std::chrono::steady_clock::now() + pause > deadline)
          throw RegistryError(std::string(e.what()) + " (gave up after " +
                              std::to_string(reconnect_for_.count()) + " ms)");
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(1));
      } catch (...) {
        if (conn_ok()) PQclear(PQexec(conn_, "ROLLBACK"));
        throw;
      }
    }
  }

  std::string conninfo_;
  bool read_only_;
  std::chrono::milliseconds reconnect_for_;
  PGconn* conn_ = nullptr;
  std::recursive_mutex mutex_;
  std::atomic<bool> outbox_{false};
  // LISTEN sot_work on a connection of its own (the main one runs transactions).
  std::mutex listen_mutex_;
  PGconn* listen_ = nullptr;
  std::chrono::steady_clock::time_point listen_retry_{};
};

}  // namespace

std::unique_ptr<Registry> open_postgresql_registry(const std::string& conninfo, bool read_only,
                                                   std::chrono::milliseconds reconnect_for) {
  return std::make_unique<PgRegistry>(conninfo, read_only, reconnect_for);
}

}  // namespace sot::registry
