// The registry's contract, run against both backends (SQLite, and PostgreSQL on a server of the
// test's own): records and transitions, gap-free numbers, committed decisions, the audit trail,
// work claimed under leases with fencing tokens, concurrent daemons that never get the same
// bundle or number, a server restart in the middle, and the copy from SQLite to PostgreSQL.
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "registry/Registry.hpp"
#include "support/PgServer.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using namespace std::chrono_literals;
using registry::Token;
namespace fs = std::filesystem;

namespace {

// One registry store, and as many connections to it as a test wants (as several daemons have).
struct Store {
  explicit Store(const std::string& which) : backend(which) {
    url = which == "postgresql" ? PgServer::shared().new_database()
                                : "sqlite:" + (dir.path() / "registry.sqlite").string();
  }
  std::unique_ptr<registry::Registry> open() { return registry::open_registry(url, dir.path()); }
  std::string backend;
  TempDir dir;  // before url: it names a file in it
  std::string url;
};

}  // namespace

TEST_CASE("registry: records, transitions, decisions and the audit trail", "[registry]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Store store(backend);
  auto reg = store.open();
  reg->transition("b-1", "received", std::string("SUB-1"));
  reg->transition("b-1", "processing");
  CHECK(reg->find("b-1")->state == "processing");
  CHECK(reg->find("b-1")->submission_id == "SUB-1");  // kept when a later one names none
  CHECK_FALSE(reg->find("nope"));
  CHECK_FALSE(reg->decided("b-1"));
  CHECK(reg->count("processing") == 1);

  const std::string text = "{\"outcome\": \"rejected\"}\n";
  reg->commit_decision("b-1", "rejected", text);
  const auto pending = reg->pending_decision("b-1");
  REQUIRE(pending);
  CHECK(pending->report_text == text);
  CHECK(pending->report_sha256 == registry::sha256_hex(text));
  const nlohmann::json report = {{"bundle", "b-1"},
                                 {"submission_id", "SUB-1"},
                                 {"outcome", "rejected"},
                                 {"filing", {{"resubmission_of", "SUB-0"}}}};
  reg->record_outcome("b-1", "b-1", "rejected", report);
  CHECK_FALSE(reg->pending_decision("b-1"));
  CHECK(reg->decided("b-1"));
  const auto rec = reg->find("b-1");
  CHECK(rec->outcome == "rejected");
  CHECK(rec->report == report);
  CHECK(rec->received_at <= rec->updated_at);
  std::vector<std::string> states;
  for (const auto& t : reg->transitions("b-1")) states.push_back(t.state);
  CHECK(states == std::vector<std::string>{"received", "processing", "rejected"});
  REQUIRE(reg->by_submission("SUB-1").size() == 1);
  REQUIRE(reg->resubmissions_of("SUB-0").size() == 1);
  CHECK(reg->resubmissions_of("SUB-0")[0].id == "b-1");
  CHECK(reg->resubmissions_of("SUB-1").empty());
  CHECK(reg->list({"rejected", "", "", 10}).size() == 1);
  CHECK(reg->list({"registered", "", "", 10}).empty());

  reg->audit("clerk-a", "reject", "b-1", {{"codes", {"X"}}});
  reg->audit("clerk-b", "login", "", nlohmann::json::object());
  const auto trail = reg->audit_trail("b-1");
  REQUIRE(trail.size() == 1);
  CHECK(trail[0].actor == "clerk-a");
  CHECK(trail[0].detail["codes"][0] == "X");
  CHECK(reg->audit_trail("").size() == 2);

  reg->set_assignee("b-1", "clerk-a");
  reg->set_assignee("b-1", "clerk-b");
  CHECK(reg->assignee("b-1") == "clerk-b");
  reg->acknowledge("b-1", "aa");
  reg->acknowledge("b-1", "bb");  // the first arrival stands
  CHECK(reg->acknowledged_manifest("b-1") == "aa");
  reg->set_legal_hold("b-1", true);
  CHECK(reg->legal_hold("b-1"));
  reg->set_legal_hold("b-1", false);
  CHECK_FALSE(reg->legal_hold("b-1"));
  CHECK(reg->integrity_check() == "ok");
  CHECK(reg->connected());
}

TEST_CASE("registry: numbers are gap-free per court and year, one per bundle", "[registry]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Store store(backend);
  auto reg = store.open();
  const std::string fmt = "{court}-{year}-{seq:06}";
  CHECK(reg->assign_number("a", "1901", 2026, fmt) == "1901-2026-000001");
  CHECK(reg->assign_number("b", "1901", 2026, fmt) == "1901-2026-000002");
  CHECK(reg->assign_number("a", "1901", 2026, fmt) == "1901-2026-000001");  // the one it has
  CHECK(reg->assign_number("c", "7501", 2026, fmt) == "7501-2026-000001");
  CHECK(reg->assign_number("d", "1901", 2027, fmt) == "1901-2027-000001");
  CHECK(reg->find("b")->registration_number == "1901-2026-000002");
  CHECK(reg->integrity_check() == "ok");

  // Four daemons racing for numbers (and twice for the same bundles): 1…N, each once.
  constexpr int kBundles = 120;
  std::vector<std::unique_ptr<registry::Registry>> conns;
  for (int i = 0; i < 4; ++i) conns.push_back(store.open());
  std::vector<std::thread> threads;
  std::mutex m;
  std::map<std::string, std::set<std::string>> given;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < kBundles; ++k) {
        const std::string id = "race-" + std::to_string((k + i * 7) % kBundles);
        const std::string n =
            conns[static_cast<std::size_t>(i)]->assign_number(id, "0201", 2026, fmt);
        std::lock_guard lock(m);
        given[id].insert(n);
      }
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& [id, numbers] : given) {
    CHECK(numbers.size() == 1);  // never two numbers for one bundle
    all.insert(*numbers.begin());
  }
  CHECK(all.size() == kBundles);
  CHECK(*all.begin() == "0201-2026-000001");
  CHECK(*all.rbegin() == "0201-2026-000120");
  CHECK(reg->integrity_check() == "ok");
}

TEST_CASE("registry: work is claimed under leases — a stale holder's writes are refused",
          "[registry][lease]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Store store(backend);
  auto a = store.open();
  auto b = store.open();
  CHECK(a->enqueue("w-2", "2026-12-01T10:00:02Z"));
  CHECK(a->enqueue("w-1", "2026-12-01T10:00:01Z"));
  CHECK_FALSE(b->enqueue("w-1", "2026-12-01T10:00:09Z"));  // already waiting
  CHECK(a->enqueue("w-3", "2026-12-01T10:00:03Z"));
  CHECK(a->waiting() == 3);

  // Oldest first; a second daemon gets what the first did not take.
  const auto first = a->claim("host-a:1", 300ms, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].bundle == "w-1");
  CHECK(first[1].bundle == "w-2");
  CHECK(first[0].previous_holder.empty());
  CHECK(first[1].token > first[0].token);
  const auto second = b->claim("host-b:2", 10s, 5);
  REQUIRE(second.size() == 1);
  CHECK(second[0].bundle == "w-3");
  CHECK(b->claim("host-b:2", 10s, 5).empty());
  CHECK(a->leases().size() == 3);

  // The holder writes under its token.
  a->transition("w-1", "processing", std::nullopt, first[0].token);
  CHECK(a->fence("w-1", first[0].token, 300ms));
  // Its heartbeat renews only the claims it names: w-2's lease runs out.
  CHECK(a->heartbeat("host-a:1", {first[0].token}, 10s) == 1);
  std::this_thread::sleep_for(400ms);
  const auto taken = b->claim("host-b:2", 10s, 5);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].bundle == "w-2");
  CHECK(taken[0].previous_holder == "host-a:1");
  CHECK(taken[0].token > second[0].token);  // a new token at every claim

  // The old holder wakes up: every write it would make for w-2 is refused.
  const Token stale = first[1].token;
  CHECK_FALSE(a->fence("w-2", stale, 10s));
  CHECK_THROWS_AS(a->transition("w-2", "processing", std::nullopt, stale), registry::StaleLease);
  CHECK_THROWS_AS(a->assign_number("w-2", "1901", 2026, "{court}-{year}-{seq}", stale),
                  registry::StaleLease);
  CHECK_THROWS_AS(a->commit_decision("w-2", "registered", "{}", stale), registry::StaleLease);
  CHECK_THROWS_AS(a->record_outcome("w-2", "w-2", "registered", {{"bundle", "w-2"}}, stale),
                  registry::StaleLease);
  CHECK_FALSE(a->pending_decision("w-2"));
  CHECK_FALSE(a->find("w-2"));          // nothing at all was written
  CHECK(a->integrity_check() == "ok");  // and no number was used up
  // The new holder decides it; the work ends with the decision.
  b->commit_decision("w-2", "rejected", "{}\n", taken[0].token);
  b->record_outcome("w-2", "w-2", "rejected", {{"bundle", "w-2"}}, taken[0].token);
  CHECK(b->decided("w-2"));
  CHECK(b->leases().size() == 2);

  // A bundle gone when its holder came for it: the work is dropped, by its holder only.
  b->drop("w-3", first[0].token);  // not the holder's token: nothing happens
  CHECK(b->leases().size() == 2);
  b->drop("w-3", second[0].token);
  CHECK(b->leases().size() == 1);

  // A restarted instance gives up its old leases at once.
  CHECK(a->expire_leases("host-a:1") == 1);
  const auto again = b->claim("host-b:2", 10s, 5);
  REQUIRE(again.size() == 1);
  CHECK(again[0].bundle == "w-1");
  CHECK(again[0].previous_holder == "host-a:1");
  CHECK_THROWS_AS(a->transition("w-1", "numbered", std::nullopt, first[0].token),
                  registry::StaleLease);
}

TEST_CASE("registry: concurrent daemons never claim the same bundle", "[registry][lease]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Store store(backend);
  constexpr int kBundles = 150;
  {
    auto r = store.open();
    for (int i = 0; i < kBundles; ++i) {
      char at[32];
      std::snprintf(at, sizeof at, "2026-12-01T10:%02d:%02dZ", i / 60, i % 60);
      r->enqueue("c-" + std::to_string(i), at);
    }
  }
  std::vector<std::unique_ptr<registry::Registry>> conns;
  for (int i = 0; i < 3; ++i) conns.push_back(store.open());
  std::mutex m;
  std::multiset<std::string> claimed;
  std::set<Token> tokens;
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      auto& r = *conns[static_cast<std::size_t>(i)];
      for (;;) {
        const auto got = r.claim("d" + std::to_string(i), 60s, 3);
        if (got.empty()) break;
        std::lock_guard lock(m);
        for (const auto& c : got) {
          claimed.insert(c.bundle);
          tokens.insert(c.token);
        }
      }
    });
  for (auto& t : threads) t.join();
  CHECK(claimed.size() == kBundles);
  CHECK(std::set<std::string>(claimed.begin(), claimed.end()).size() == kBundles);
  CHECK(tokens.size() == kBundles);
  CHECK(conns[0]->waiting() == 0);
}

TEST_CASE("registry (PostgreSQL): a server restart between calls loses nothing",
          "[registry][postgresql]") {
  Store store("postgresql");
  auto reg = store.open();
  reg->transition("r-1", "received");
  reg->assign_number("r-1", "1901", 2026, "{court}-{year}-{seq}");
  PgServer::shared().restart();
  // The next call reconnects (and runs its transaction again) instead of failing.
  CHECK(reg->assign_number("r-2", "1901", 2026, "{court}-{year}-{seq}") == "1901-2026-2");
  CHECK(reg->find("r-1")->registration_number == "1901-2026-1");
  CHECK(reg->connected());
  CHECK(reg->describe().find("postgresql://") == 0);
}

TEST_CASE("registry (PostgreSQL): a newer schema is refused", "[registry][postgresql]") {
  Store store("postgresql");
  store.open()->transition("v-1", "received");
  CHECK(registry::open_postgresql_registry(store.url, true)->find("v-1"));
  // What a newer release would leave behind.
  PGconn* c = PQconnectdb(store.url.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PQclear(PQexec(c, "UPDATE schema_version SET version=99"));
  PQfinish(c);
  CHECK_THROWS_AS(store.open(), registry::RegistryError);
  CHECK_THROWS_AS(registry::open_postgresql_registry(store.url, true), registry::RegistryError);
}

TEST_CASE("registry: a SQLite registry copies into PostgreSQL, idempotent, counts verified",
          "[registry][postgresql]") {
  Store sqlite("sqlite"), pg("postgresql");
  auto from = sqlite.open();
  const std::string fmt = "{court}-{year}-{seq:06}";
  for (int i = 0; i < 30; ++i) {
    const std::string id = "m-" + std::to_string(i);
    from->transition(id, "received", "SUB-" + std::to_string(i));
    from->acknowledge(id, "sha-" + std::to_string(i));
    if (i % 3 == 0) from->assign_number(id, "1901", 2026, fmt);
    from->commit_decision(id, i % 3 == 0 ? "registered" : "rejected", "{}\n");
    from->record_outcome(id, id, i % 3 == 0 ? "registered" : "rejected",
                         {{"bundle", id}, {"submission_id", "SUB-" + std::to_string(i)}});
    from->audit("clerk", "note", id, {{"i", i}});
  }
  from->enqueue("waiting-1", "2026-12-01T10:00:00Z");
  from->set_legal_hold("m-1", true);
  auto to = pg.open();
  const auto counts = registry::copy_registry(*from, *to);
  CHECK(counts.size() == registry::registry_tables().size());
  for (const auto& c : counts) CHECK(c.source == c.target);
  // Again: nothing doubles.
  const auto again = registry::copy_registry(*from, *to);
  for (const auto& c : again) CHECK(c.source == c.target);
  CHECK(to->find("m-3")->registration_number == "1901-2026-000002");
  CHECK(to->transitions("m-3").size() == from->transitions("m-3").size());
  CHECK(to->audit_trail("m-4").size() == 1);
  CHECK(to->legal_hold("m-1"));
  CHECK(to->integrity_check() == "ok");
  // Numbering goes on where it stopped; new audit entries follow the copied ones.
  CHECK(to->assign_number("new-1", "1901", 2026, fmt) == "1901-2026-000011");
  to->audit("clerk", "note", "new-1", nlohmann::json::object());
  CHECK(to->audit_trail("").back().id > from->audit_trail("").back().id);
  CHECK(to->claim("pg-host:1", 10s, 5).size() == 1);  // the waiting work came over too
}

TEST_CASE("registry: the outbox writes an event with each status change, delivered in order",
          "[registry][notify]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  Store store(backend);
  auto reg = store.open();
  // Off: changes write no event.
  reg->transition("quiet", "received", std::string("SUB-Q"));
  reg->transition("quiet", "processing");
  CHECK(reg->events("", "", 100).empty());

  reg->enable_outbox(true);
  for (const std::string b : {"n-1", "n-2"}) {
    reg->transition(b, "received", "SUB-" + b);  // the arrival itself is acknowledge's event
    reg->acknowledge(b, "sha");
    reg->acknowledge(b, "sha");  // acknowledged once: one event
    reg->transition(b, "processing");
  }
  reg->assign_number("n-1", "1901", 2026, "{court}-{year}-{seq}");
  reg->record_outcome("n-1", "n-1", "registered",
                      {{"bundle", "n-1"},
                       {"submission_id", "SUB-n-1"},
                       {"registration_number", "1901-2026-1"},
                       {"findings", nlohmann::json::array()}});
  auto all = reg->events("", "", 100);
  REQUIRE(all.size() == 5);
  std::vector<std::string> n1;
  for (const auto& e : all)
    if (e.submission == "SUB-n-1") n1.push_back(e.type);
  CHECK(n1 == std::vector<std::string>{"received", "checking", "registered"});
  CHECK(all.back().payload["registration_number"] == "1901-2026-1");
  CHECK(all.back().payload["decided_by"] == "automatic");
  CHECK(all.front().payload["manifest_sha256"] == "sha");
  CHECK(reg->events_pending() == 5);

  // Due: the oldest undelivered event of each submission only, set aside while being sent.
  auto due = reg->due_events(60s, 10);
  REQUIRE(due.size() == 2);
  CHECK(due[0].submission == "SUB-n-1");
  CHECK(due[0].type == "received");
  CHECK(due[1].submission == "SUB-n-2");
  CHECK(reg->due_events(60s, 10).empty());  // set aside: another daemon gets nothing
  reg->event_delivered(due[0].id);
  reg->event_failed(due[1].id, "HTTP 500", 0ms, false);
  due = reg->due_events(60s, 10);
  REQUIRE(due.size() == 2);
  CHECK(due[0].type == "checking");  // n-1's next
  CHECK(due[1].type == "received");  // n-2's first again
  CHECK(due[1].attempts == 1);
  // A dead-lettered event no longer holds back the ones after it; retry brings it back.
  reg->event_failed(due[1].id, "gone", 0ms, true);
  CHECK(reg->events("dead", "", 10).size() == 1);
  reg->event_delivered(due[0].id);
  due = reg->due_events(60s, 10);
  REQUIRE(due.size() == 2);
  CHECK(due[0].submission == "SUB-n-2");  // past its dead first event
  CHECK(due[0].type == "checking");
  CHECK(due[1].type == "registered");
  CHECK(reg->retry_events(0) == 1);
  CHECK(reg->events("dead", "", 10).empty());
  CHECK(reg->events("delivered", "", 10).size() == 2);
  CHECK(reg->events("", "SUB-n-2", 10).size() == 2);
}
