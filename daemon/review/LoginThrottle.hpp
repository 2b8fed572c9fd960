// Failed-login limits for the review UI that an attacker cannot turn against the clerks:
//   - per login and client: `per_client` failures in a window lock that pair (an attacker
//     elsewhere does not lock the clerk out);
//   - per login, over all clients: a slower cap (`per_login`), against a password being
//     guessed from many addresses;
//   - over everything: `global` failures in a window, which also bounds the state kept.
// Attempts in flight count as failures until they end, so concurrent requests cannot test
// more passwords than the limit allows. State is bounded (entries expire with their window;
// a full table refuses new pairs rather than grow) and keyed only by names a login can be
// (the caller refuses longer ones before any lookup).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace sot::review {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    int per_client = 5;
    int per_login = 20;
    int global = 200;
    std::chrono::seconds window{60};
    std::size_t max_entries = 4096;
  };
  LoginThrottle() = default;
  explicit LoginThrottle(Limits limits) : limits_(limits) {}

  // Before a password is checked: reserves an attempt, or says why not (empty when allowed).
  std::string begin(const std::string& login, const std::string& client, Clock::time_point now);
  // After it: a success clears the pair's failures; a failure counts everywhere; an attempt
  // that could not be judged (the users file unreadable) counts nowhere.
  enum class Result { kSuccess, kFailure, kNotJudged };
  void end(const std::string& login, const std::string& client, Result result,
           Clock::time_point now);

  std::size_t entries() const;

 private:
  struct Count {
    int failures = 0;
    int in_flight = 0;
    Clock::time_point since;
  };
  void expire(Clock::time_point now);
  bool full(const std::map<std::string, Count>& m, const std::string& key) const;

  Limits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Count> pairs_;   // login '\n' client
  std::map<std::string, Count> logins_;  // login
  Count global_;
};

}  // namespace sot::review
