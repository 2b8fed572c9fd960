#include "review/LoginThrottle.hpp"

namespace sot::review {

void LoginThrottle::expire(Clock::time_point now) {
  for (auto* m : {&pairs_, &logins_})
    for (auto it = m->begin(); it != m->end();)
      if (it->second.in_flight == 0 && now - it->second.since >= limits_.window)
        it = m->erase(it);
      else
        ++it;
  if (now - global_.since >= limits_.window) {
    global_.failures = 0;
    global_.since = now;
  }
}

bool LoginThrottle::full(const std::map<std::string, Count>& m, const std::string& key) const {
  return m.size() >= limits_.max_entries && m.find(key) == m.end();
}

std::string LoginThrottle::begin(const std::string& login, const std::string& client,
                                 Clock::time_point now) {
  std::lock_guard lock(mutex_);
  expire(now);
  const std::string pair = login + '\n' + client;
  if (full(pairs_, pair) || full(logins_, login)) return "too many logins are being tried";
  if (global_.failures + global_.in_flight >= limits_.global)
    return "too many failed logins on this server";
  Count& p = pairs_[pair];
  Count& l = logins_[login];
  if (p.failures + p.in_flight == 0) p.since = now;
  if (l.failures + l.in_flight == 0) l.since = now;
  if (p.failures + p.in_flight >= limits_.per_client) return "too many failed logins";
  if (l.failures + l.in_flight >= limits_.per_login) return "too many failed logins for this login";
  ++p.in_flight;
  ++l.in_flight;
  ++global_.in_flight;
  return "";
}

void LoginThrottle::end(const std::string& login, const std::string& client, Result result,
                        Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const std::string pair = login + '\n' + client;
  Count& p = pairs_[pair];
  Count& l = logins_[login];
  if (p.in_flight > 0) --p.in_flight;
  if (l.in_flight > 0) --l.in_flight;
  if (global_.in_flight > 0) --global_.in_flight;
  if (result == Result::kNotJudged) return;
  if (result == Result::kSuccess) {
    pairs_.erase(pair);
    return;
  }
  ++p.failures;
  ++l.failures;
  if (global_.failures == 0) global_.since = now;
  ++global_.failures;
}

std::size_t LoginThrottle::entries() const {
  std::lock_guard lock(mutex_);
  return pairs_.size() + logins_.size();
}

}  // namespace sot::review
