// Failed-login limits that an attacker cannot turn against the clerks: per login and client,
// per login, overall; concurrent attempts counted; bounded state.
#include <catch2/catch.hpp>

#include "review/LoginThrottle.hpp"

using sot::review::LoginThrottle;

TEST_CASE("failed logins lock the login for that client, not for the clerk elsewhere",
          "[review][trust]") {
  LoginThrottle t;
  const auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(t.begin("aigerim", "10.0.0.66", now).empty());
    t.end("aigerim", "10.0.0.66", LoginThrottle::Result::kFailure, now);
  }
  CHECK_FALSE(t.begin("aigerim", "10.0.0.66", now).empty());  // the attacker: locked
  CHECK(t.begin("aigerim", "127.0.0.1", now).empty());        // the clerk: still in
  t.end("aigerim", "127.0.0.1", LoginThrottle::Result::kSuccess, now);
  // A minute later the attacker may try again.
  CHECK(t.begin("aigerim", "10.0.0.66", now + std::chrono::seconds(61)).empty());
}

TEST_CASE("concurrent attempts count before they end", "[review][trust]") {
  LoginThrottle t;
  const auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 5; ++i) REQUIRE(t.begin("bolat", "c", now).empty());
  // Seven in parallel used to test seven passwords where five are allowed.
  CHECK_FALSE(t.begin("bolat", "c", now).empty());
  CHECK_FALSE(t.begin("bolat", "c", now).empty());
}

TEST_CASE("a slower cap per login over all clients, and one over everything", "[review][trust]") {
  LoginThrottle::Limits l;
  l.per_client = 5;
  l.per_login = 8;
  l.global = 12;
  LoginThrottle t(l);
  const auto now = LoginThrottle::Clock::now();
  int allowed = 0;
  for (int c = 0; c < 10; ++c)
    if (t.begin("dana", "client-" + std::to_string(c), now).empty()) {
      ++allowed;
      t.end("dana", "client-" + std::to_string(c), LoginThrottle::Result::kFailure, now);
    }
  CHECK(allowed == 8);  // from ten addresses, still eight guesses a minute
  for (int c = 0; c < 10; ++c)
    if (t.begin("login" + std::to_string(c), "x", now).empty()) {
      ++allowed;
      t.end("login" + std::to_string(c), "x", LoginThrottle::Result::kFailure, now);
    }
  CHECK(allowed == 12);  // the global cap
}

TEST_CASE("the state kept is bounded", "[review][trust]") {
  LoginThrottle::Limits l;
  l.global = 1000000;
  l.max_entries = 100;
  LoginThrottle t(l);
  const auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 1000; ++i) {
    const std::string login = "user" + std::to_string(i);
    if (t.begin(login, "c", now).empty()) t.end(login, "c", LoginThrottle::Result::kFailure, now);
  }
  CHECK(t.entries() <= 200);
  // All of it expires with its window.
  CHECK(t.begin("someone", "c", now + std::chrono::seconds(61)).empty());
  CHECK(t.entries() <= 2);
}
