// Notifications to the portal («Хабарламалар»): the registry's outbox delivered by HTTP POST.
//
// Every status change of a submission is an event written in the registry transaction that
// makes the change (Registry::enable_outbox). The notifier sends what is due: at least once
// (an event is marked delivered only after a 2xx answer; a crash in between sends it again,
// under the same X-Sot-Event-Id), in order per submission (an event waits until the ones
// before it are delivered or dead-lettered), with exponential back-off capped at
// max_backoff_seconds, and dead-lettered after dead_after_hours (`sot-intake notify retry`).
// The body is the event's JSON with its event_id; X-Sot-Signature is
// "sha256=" + hex(HMAC-SHA256(secret, body)). Several daemons may deliver from one registry:
// an event being sent is set aside for the others.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "config/Config.hpp"
#include "registry/Registry.hpp"

namespace sot::notify {

// hex HMAC-SHA256 of `body` under `secret`.
std::string signature(const std::string& secret, const std::string& body);

// What one event sends: the body and its headers.
struct Delivery {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
Delivery delivery_of(const registry::OutboxEvent& e, const std::string& secret);

// The wait before the next attempt after `attempts` failed ones: 1 s doubling, capped, with
// up to a fifth of jitter.
std::chrono::milliseconds backoff(int attempts, std::chrono::seconds cap);

struct PassStats {
  int delivered = 0;
  int failed = 0;
  int dead = 0;
};

class Notifier {
 public:
  using Log = std::function<void(const std::string& message, bool warning)>;
  Notifier(registry::Registry& registry, std::function<Config::Notify()> config, Log log);

  // Sends the events due now (a few at a time); returns what happened to them.
  PassStats run_once();

 private:
  registry::Registry& registry_;
  std::function<Config::Notify()> config_;
  Log log_;
};

}  // namespace sot::notify
