// The daemon's counters, rendered as Prometheus text (exposition format 0.0.4) at /metrics:
// bundles by outcome, findings by code, stage and bundle latencies (histograms), queue depth,
// bundles in flight, worker restarts, quarantined entries, reloads, spool free space.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace sot::service {

class Histogram {
 public:
  static constexpr std::array<double, 13> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,     2.5,  5,     10,   30};
  void observe(double seconds);
  // Appends the _bucket/_sum/_count lines of `name` with `labels` ("" or `stage="x"`).
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::uint64_t, kBounds.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  // One decided bundle: its report (outcome, findings, stage_ms) and the seconds from its
  // arrival in incoming/ to its outcome.
  void bundle_decided(const nlohmann::json& report, double arrival_to_outcome_seconds);
  void worker_restarted() { add(worker_restarts_); }
  void quarantined() { add(quarantined_); }
  void reloaded(bool ok) { add(ok ? reloads_ok_ : reloads_refused_); }
  void set_queue(std::size_t waiting, std::size_t in_flight);
  void set_free_bytes(std::uint64_t bytes);
  void set_claiming(bool claiming);
  // Several daemons, one registry: this daemon's name, the leases it holds, the bundles it
  // lost to another daemon (its lease expired), whether the registry answers.
  void set_instance(const std::string& instance);
  void set_leases(std::size_t held);
  void lease_lost() { add(leases_lost_); }
  void taken_over() { add(taken_over_); }
  void set_registry_up(bool up);
  // Notifications to the portal: delivered, failed attempts, dead-lettered; waiting.
  void notified(int delivered, int failed, int dead);
  void set_notify_pending(std::size_t pending);
  // Clerks: a decision taken in the review UI (register, reject, reprocess); bundles waiting
  // for a clerk (the registry's count, shared by every daemon).
  void clerk_decided(const std::string& action);
  void set_review_waiting(long waiting);

  std::string render() const;

 private:
  void add(std::uint64_t& counter) {
    std::lock_guard lock(m_);
    ++counter;
  }
  mutable std::mutex m_;
  std::map<std::string, std::uint64_t> outcomes_;
  std::map<std::string, std::uint64_t> codes_;
  std::map<std::string, Histogram> stages_;
  Histogram bundle_latency_;
  Histogram processing_;
  std::uint64_t worker_restarts_ = 0, quarantined_ = 0, reloads_ok_ = 0, reloads_refused_ = 0;
  std::size_t waiting_ = 0, in_flight_ = 0;
  std::uint64_t free_bytes_ = 0;
  bool claiming_ = true;
  std::string instance_;
  std::size_t leases_ = 0;
  std::uint64_t leases_lost_ = 0, taken_over_ = 0;
  bool registry_up_ = true;
  std::uint64_t notify_delivered_ = 0, notify_failed_ = 0, notify_dead_ = 0;
  std::size_t notify_pending_ = 0;
  std::map<std::string, std::uint64_t> clerk_decisions_;
  long review_waiting_ = -1;  // -1: not known (the registry did not answer)
};

}  // namespace sot::service
