// Notifications to the portal end to end: the daemon decides bundles while the portal's
// endpoint fails half of the requests, is down for a while, and the daemon is killed with
// SIGKILL and restarted. Every status change arrives (at least once, signed), never out of
// order within a submission, and a duplicate carries the same event id and body.
#include <catch2/catch.hpp>

#include <signal.h>

#include <map>
#include <set>
#include <thread>

#include "e2e/DaemonSupport.hpp"
#include "registry/Registry.hpp"
#include "support/HookReceiver.hpp"
#include "support/Process.hpp"

using namespace sot;
using namespace sot::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("notifications reach a flaky portal in order through an outage and a kill -9",
          "[daemon][notify]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  fs::create_directories(spool / "tmp");
  fs::create_directories(spool / "incoming");
  const std::string secret = "portal-shared-secret-0123456789";
  HookReceiver portal(secret);
  portal.fail_share(0.5);
  const fs::path config =
      write_config(t.path(), "[notify]\nurl = \"" + portal.url() + "\"\nsecret = \"" + secret +
                                 "\"\ntimeout_seconds = 2\nmax_backoff_seconds = 1\n");
  auto start = [&] {
    return start_daemon_with(spool, log, {"--config", config.string(), "--workers", "1"});
  };
  int pid = start();
  const std::vector<std::string> kinds = {"clean-claim-individual", "signature-revoked",
                                          "duplicate-file", "clean-letter"};
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    const std::string id = "n-" + std::to_string(i);
    deliver(spool, test::samples().bundle(kinds[static_cast<std::size_t>(i) % kinds.size()]), id);
    ids.push_back(id);
    std::this_thread::sleep_for(150ms);
    if (i == 3) portal.set_down(true);  // the portal is down for a while
    if (i == 7) portal.set_down(false);
    if (i == 9) {  // and the daemon is killed in the middle of it all
      ::kill(pid, SIGKILL);
      wait_for(pid);
      pid = start();
    }
  }
  REQUIRE(wait_until([&] { return decided(spool) == static_cast<int>(ids.size()); }, 180s));
  auto reg = registry::open_registry(registry_url(spool), spool, true);
  // Every event of the outbox delivered (and so accepted by the portal at least once).
  const bool all = wait_until(
      [&] {
        const auto events = reg->events("", "", 10000);
        return !events.empty() && std::all_of(events.begin(), events.end(),
                                              [](const auto& e) { return e.state == "delivered"; });
      },
      120s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  REQUIRE(all);
  const auto events = reg->events("", "", 10000);
  std::map<long long, nlohmann::json> accepted;         // event id → body
  std::map<std::string, std::vector<long long>> order;  // submission → first acceptances
  int duplicates = 0, refused = 0;
  for (const auto& h : portal.received()) {
    CHECK(h.signature_ok);
    if (!h.accepted) {
      ++refused;
      continue;
    }
    if (accepted.count(h.event_id)) {
      ++duplicates;
      CHECK(accepted[h.event_id] == h.body);  // a duplicate is the same event
      continue;
    }
    accepted[h.event_id] = h.body;
    order[h.body["submission_id"]].push_back(h.event_id);
  }
  CHECK(refused > 0);  // the flaky portal did refuse some
  for (const auto& e : events) {
    INFO(e.id << " " << e.type << " " << e.submission);
    CHECK(accepted.count(e.id) == 1);  // every event arrived
  }
  for (const auto& [submission, ids_in_order] : order) {
    INFO(submission);
    CHECK(std::is_sorted(ids_in_order.begin(), ids_in_order.end()));  // never out of order
  }
  // Each bundle: its arrival, its checking, exactly one outcome.
  for (const auto& id : ids) {
    std::multiset<std::string> types;
    for (const auto& e : events)
      if (e.bundle == id) types.insert(e.type);
    INFO(id);
    CHECK(types.count("received") == 1);
    CHECK(types.count("checking") >= 1);
    CHECK(types.count("registered") + types.count("rejected") + types.count("review") == 1);
  }
  std::printf(
      "notify: %zu events, %zu requests (%d refused, %d duplicates), all delivered in order\n",
      events.size(), portal.received().size(), refused, duplicates);
}

TEST_CASE("a kill -9 between an arrival's record and its acknowledgement loses neither",
          "[daemon][notify][kill]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  fs::create_directories(spool / "tmp");
  fs::create_directories(spool / "incoming");
  const std::string secret = "portal-shared-secret-0123456789";
  HookReceiver portal(secret);
  const fs::path config = write_config(
      t.path(), "[notify]\nurl = \"" + portal.url() + "\"\nsecret = \"" + secret + "\"\n");
  deliver(spool, test::samples().bundle("clean-letter"), "ack-1");
  ::setenv("SOT_FAULT_KILL_AT", "enqueued:ack-1", 1);
  int pid = start_daemon_with(spool, log, {"--config", config.string(), "--workers", "1"});
  ::unsetenv("SOT_FAULT_KILL_AT");
  CHECK(wait_for(pid) == 128 + SIGKILL);  // killed right after the arrival was recorded
  pid = start_daemon_with(spool, log, {"--config", config.string(), "--workers", "1"});
  REQUIRE(wait_until([&] { return decided(spool) == 1; }, 60s));
  auto reg = registry::open_registry(registry_url(spool), spool, true);
  REQUIRE(wait_until([&] { return reg->events_pending() == 0 && !reg->events("", "", 10).empty(); },
                     30s));
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(log));
  CHECK_FALSE(reg->acknowledged_manifest("ack-1").empty());
  std::vector<std::string> types;
  for (const auto& e : reg->events("", "", 10)) types.push_back(e.type);
  CHECK(types == std::vector<std::string>{"received", "checking", "registered"});
}
