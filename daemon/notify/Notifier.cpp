#include "notify/Notifier.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>

#include "core/Text.hpp"
#include "core/Time.hpp"
#include "notify/HttpPost.hpp"

namespace sot::notify {

std::string signature(const std::string& secret, const std::string& body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), md, &len);
  return text::hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

Delivery delivery_of(const registry::OutboxEvent& e, const std::string& secret) {
  nlohmann::json payload = e.payload.is_object() ? e.payload : nlohmann::json::object();
  payload["event_id"] = e.id;
  Delivery d;
  d.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  d.headers = {{"X-Sot-Event-Id", std::to_string(e.id)},
               {"X-Sot-Event-Type", e.type},
               {"X-Sot-Signature", "sha256=" + signature(secret, d.body)}};
  return d;
}

std::chrono::milliseconds backoff(int attempts, std::chrono::seconds cap) {
  const long long base_ms = 1000ll << std::min(attempts, 20);
  const long long capped = std::min<long long>(base_ms, cap.count() * 1000);
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> jitter(0, capped / 5);
  return std::chrono::milliseconds(capped - capped / 10 + jitter(rng));
}

Notifier::Notifier(registry::Registry& registry, std::function<Config::Notify()> config, Log log)
    : registry_(registry), config_(std::move(config)), log_(std::move(log)) {}

PassStats Notifier::run_once() {
  PassStats stats;
  const Config::Notify c = config_();
  if (c.url.empty()) return stats;
  const auto timeout = std::chrono::seconds(c.timeout_seconds);
  // Set aside for long enough to be sent (a few timeouts), then anybody's again.
  const auto events = registry_.due_events(timeout * 3 + std::chrono::seconds(5), 8);
  for (const auto& e : events) {
    const Delivery d = delivery_of(e, c.secret);
    const PostResult r = http_post(c.url, d.headers, d.body, c.ca_file, timeout);
    if (r.ok()) {
      registry_.event_delivered(e.id);
      ++stats.delivered;
      continue;
    }
    const auto created = parse_rfc3339(e.created_at);
    const bool dead =
        created && SystemClock{}.now() - created->utc > std::chrono::hours(c.dead_after_hours);
    registry_.event_failed(e.id, r.error,
                           backoff(e.attempts, std::chrono::seconds(c.max_backoff_seconds)), dead);
    ++stats.failed;
    if (dead) {
      ++stats.dead;
      log_("notification " + std::to_string(e.id) + " (" + e.type + " of " + e.submission +
               ") dead-lettered after " + std::to_string(e.attempts + 1) + " attempts: " + r.error,
           true);
    }
  }
  return stats;
}

}  // namespace sot::notify
