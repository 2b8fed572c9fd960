// Notifications to the portal: the HMAC signature, what one event sends, the back-off, the
// HTTPS client's verification of the receiver (its CA, its name), and the notifier's passes
// over a registry's outbox: order per submission, retries, dead letters, sending again.
#include <catch2/catch.hpp>

#include <thread>

#include "notify/HttpPost.hpp"
#include "notify/Notifier.hpp"
#include "registry/Registry.hpp"
#include "support/HookReceiver.hpp"
#include "support/Process.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("notify: HMAC-SHA256 signature, body and headers of an event", "[notify]") {
  // RFC 4231, test case 2.
  CHECK(notify::signature("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  registry::OutboxEvent e;
  e.id = 42;
  e.type = "registered";
  e.payload = {{"type", "registered"}, {"submission_id", "SUB-1"}};
  const auto d = notify::delivery_of(e, "a-secret-of-16-chars");
  const auto body = nlohmann::json::parse(d.body);
  CHECK(body["event_id"] == 42);
  CHECK(body["submission_id"] == "SUB-1");
  std::map<std::string, std::string> h(d.headers.begin(), d.headers.end());
  CHECK(h["X-Sot-Event-Id"] == "42");
  CHECK(h["X-Sot-Event-Type"] == "registered");
  CHECK(h["X-Sot-Signature"] == "sha256=" + notify::signature("a-secret-of-16-chars", d.body));
}

TEST_CASE("notify: back-off doubles from a second and stops at its cap", "[notify]") {
  CHECK(notify::backoff(0, 300s) >= 900ms);
  CHECK(notify::backoff(0, 300s) <= 1100ms);
  CHECK(notify::backoff(3, 300s) >= 7200ms);
  CHECK(notify::backoff(3, 300s) <= 8800ms);
  CHECK(notify::backoff(30, 300s) <= 330s);
  CHECK(notify::backoff(30, 300s) >= 270s);
}

TEST_CASE("notify: HTTPS verifies the receiver's certificate and name", "[notify]") {
  TempDir t;
  const fs::path cert = t.path() / "cert.pem", key = t.path() / "key.pem";
  REQUIRE(run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                       "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(), "-out",
                       cert.string(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                       "subjectAltName=DNS:localhost"})
              .exit_code == 0);
  HookReceiver receiver("a-secret-of-16-chars", cert, key);
  const std::string body = R"({"type":"checking"})";
  // Its CA named: delivered.
  auto r = notify::http_post(receiver.url("localhost"), {}, body, cert, 5s);
  CHECK(r.status == 200);
  // The system's trust store does not know a self-signed receiver: refused.
  r = notify::http_post(receiver.url("localhost"), {}, body, {}, 5s);
  CHECK(r.status == 0);
  CHECK_FALSE(r.error.empty());
  // A certificate for another name: refused.
  r = notify::http_post(receiver.url("127.0.0.1"), {}, body, cert, 5s);
  CHECK(r.status == 0);
  // Plain HTTP leaves the host only for a loopback relay.
  r = notify::http_post("http://192.0.2.1:80/x", {}, body, {}, 1s);
  CHECK(r.status == 0);
  CHECK(r.error.find("loopback") != std::string::npos);
  const auto got = receiver.received();
  REQUIRE(got.size() == 1);  // the refused handshakes never reached a request
}

TEST_CASE("notify: the notifier sends the outbox in order per submission, retries, dead-letters",
          "[notify]") {
  TempDir t;
  auto reg = registry::open_registry("sqlite:" + (t.path() / "r.sqlite").string(), t.path());
  reg->enable_outbox(true);
  HookReceiver receiver("a-secret-of-16-chars");
  Config::Notify cfg;
  cfg.url = receiver.url();
  cfg.secret = "a-secret-of-16-chars";
  cfg.timeout_seconds = 5;
  cfg.max_backoff_seconds = 1;
  std::vector<std::string> logged;
  notify::Notifier n(
      *reg, [&] { return cfg; }, [&](const std::string& m, bool) { logged.push_back(m); });
  // Two submissions, three status changes each.
  for (const std::string b : {"b-1", "b-2"}) {
    reg->transition(b, "received", "SUB-" + b);
    reg->acknowledge(b, "sha-" + b);
    reg->transition(b, "processing");
    reg->record_outcome(b, b, "rejected",
                        {{"bundle", b},
                         {"submission_id", "SUB-" + b},
                         {"outcome", "rejected"},
                         {"findings",
                          {{{"code", "PAYMENT_MISSING"},
                            {"severity", "reject"},
                            {"message", {{"kk", "…"}, {"ru", "…"}}}}}}});
  }
  CHECK(reg->events_pending() == 6);
  // The receiver fails everything: one attempt per submission (the first event of each).
  receiver.fail_share(1.0);
  auto st = n.run_once();
  CHECK(st.failed == 2);
  CHECK(st.delivered == 0);
  // It recovers: everything arrives, in order per submission, signed.
  receiver.fail_share(0);
  for (int i = 0; i < 40 && reg->events_pending() > 0; ++i) {
    n.run_once();
    std::this_thread::sleep_for(100ms);
  }
  CHECK(reg->events_pending() == 0);
  std::map<std::string, std::vector<std::string>> types;
  std::map<std::string, long long> last;
  for (const auto& h : receiver.received()) {
    CHECK(h.signature_ok);
    if (!h.accepted) continue;
    const std::string sub = h.body["submission_id"];
    CHECK(h.event_id > last[sub]);  // never out of order within a submission
    last[sub] = h.event_id;
    types[sub].push_back(h.type);
  }
  const std::vector<std::string> expected = {"received", "checking", "rejected"};
  CHECK(types["SUB-b-1"] == expected);
  CHECK(types["SUB-b-2"] == expected);
  for (const auto& h : receiver.received())
    if (h.type == "rejected" && h.accepted) {
      CHECK(h.body["reasons"][0]["code"] == "PAYMENT_MISSING");
      CHECK(h.body["decided_by"] == "automatic");
    }

  // An event failing for longer than dead_after_hours is dead-lettered, and sent again on
  // request.
  receiver.fail_share(1.0);
  reg->insert_rows("outbox", {{{"id", 1000},
                               {"submission", "SUB-old"},
                               {"bundle", "old"},
                               {"type", "checking"},
                               {"payload", R"({"type":"checking","submission_id":"SUB-old"})"},
                               {"created_at", "2026-01-01T00:00:00Z"},
                               {"created_ms", 0},
                               {"attempts", 0},
                               {"next_ms", 0}}});
  st = n.run_once();
  CHECK(st.dead == 1);
  CHECK(reg->events("dead", "", 10).size() == 1);
  CHECK(reg->events_pending() == 0);
  CHECK_FALSE(logged.empty());
  receiver.fail_share(0);
  CHECK(reg->retry_events(0) == 1);
  n.run_once();
  CHECK(reg->events("delivered", "SUB-old", 10).size() == 1);
}
