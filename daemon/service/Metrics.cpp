#include "service/Metrics.hpp"

#include <cstdio>

namespace sot::service {

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
// A label value: backslash, quote and newline escaped (exposition format).
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}
}  // namespace

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) ++buckets_[i];
  ++count_;
  sum_ += seconds;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < kBounds.size(); ++i)
    out += name + "_bucket{" + labels + sep + "le=\"" + number(kBounds[i]) + "\"} " +
           std::to_string(buckets_[i]) + "\n";
  out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(count_) + "\n";
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " " + number(sum_) + "\n";
  out += name + "_count" + braces + " " + std::to_string(count_) + "\n";
}

void Metrics::bundle_decided(const nlohmann::json& report, double arrival_to_outcome_seconds) {
  std::lock_guard lock(m_);
  ++outcomes_[report.value("outcome", std::string("review"))];
  if (const auto f = report.find("findings"); f != report.end() && f->is_array())
    for (const auto& finding : *f)
      if (finding.is_object()) ++codes_[finding.value("code", std::string("?"))];
  if (const auto s = report.find("stage_ms"); s != report.end() && s->is_object())
    for (const auto& [stage, ms] : s->items())
      if (ms.is_number()) stages_[stage].observe(ms.get<double>() / 1000.0);
  if (const auto d = report.find("duration_ms"); d != report.end() && d->is_number())
    processing_.observe(d->get<double>() / 1000.0);
  bundle_latency_.observe(arrival_to_outcome_seconds);
}

void Metrics::set_queue(std::size_t waiting, std::size_t in_flight) {
  std::lock_guard lock(m_);
  waiting_ = waiting;
  in_flight_ = in_flight;
}

void Metrics::set_free_bytes(std::uint64_t bytes) {
  std::lock_guard lock(m_);
  free_bytes_ = bytes;
}

void Metrics::set_claiming(bool claiming) {
  std::lock_guard lock(m_);
  claiming_ = claiming;
}

void Metrics::set_instance(const std::string& instance) {
  std::lock_guard lock(m_);
  instance_ = instance;
}

void Metrics::set_leases(std::size_t held) {
  std::lock_guard lock(m_);
  leases_ = held;
}

void Metrics::set_registry_up(bool up) {
  std::lock_guard lock(m_);
  registry_up_ = up;
}

void Metrics::notified(int delivered, int failed, int dead) {
  std::lock_guard lock(m_);
  notify_delivered_ += static_cast<std::uint64_t>(delivered);
  notify_failed_ += static_cast<std::uint64_t>(failed);
  notify_dead_ += static_cast<std::uint64_t>(dead);
}

void Metrics::set_notify_pending(std::size_t pending) {
  std::lock_guard lock(m_);
  notify_pending_ = pending;
}

void Metrics::clerk_decided(const std::string& action) {
  std::lock_guard lock(m_);
  ++clerk_decisions_[action];
}

void Metrics::set_review_waiting(long waiting) {
  std::lock_guard lock(m_);
  review_waiting_ = waiting;
}

std::string Metrics::render() const {
  std::lock_guard lock(m_);
  std::string out;
  header(out, "sot_bundles_total", "counter", "Bundles decided, by outcome.");
  for (const char* o : {"registered", "rejected", "review"}) {
    const auto it = outcomes_.find(o);
    out += std::string("sot_bundles_total{outcome=\"") + o + "\"} " +
           std::to_string(it == outcomes_.end() ? 0 : it->second) + "\n";
  }
  header(out, "sot_findings_total", "counter", "Findings in decided bundles, by code.");
  for (const auto& [code, n] : codes_)
    out += "sot_findings_total{code=\"" + label(code) + "\"} " + std::to_string(n) + "\n";
  header(out, "sot_stage_duration_seconds", "histogram", "Wall time of each check stage.");
  for (const auto& [stage, h] : stages_)
    h.render(out, "sot_stage_duration_seconds", "stage=\"" + label(stage) + "\"");
  header(out, "sot_bundle_processing_seconds", "histogram",
         "Wall time of all checks of one bundle.");
  processing_.render(out, "sot_bundle_processing_seconds", "");
  header(out, "sot_bundle_latency_seconds", "histogram",
         "From a bundle's arrival in incoming/ to its outcome.");
  bundle_latency_.render(out, "sot_bundle_latency_seconds", "");
  header(out, "sot_queue_depth", "gauge", "Bundles waiting for a worker.");
  out += "sot_queue_depth " + std::to_string(waiting_) + "\n";
  header(out, "sot_bundles_in_flight", "gauge", "Bundles being processed.");
  out += "sot_bundles_in_flight " + std::to_string(in_flight_) + "\n";
  header(out, "sot_worker_restarts_total", "counter",
         "Analysis worker processes replaced after a crash, a timeout or a reload.");
  out += "sot_worker_restarts_total " + std::to_string(worker_restarts_) + "\n";
  header(out, "sot_quarantined_total", "counter", "Entries of incoming/ that were not bundles.");
  out += "sot_quarantined_total " + std::to_string(quarantined_) + "\n";
  header(out, "sot_reloads_total", "counter", "SIGHUP reloads, applied or refused.");
  out += "sot_reloads_total{result=\"applied\"} " + std::to_string(reloads_ok_) + "\n";
  out += "sot_reloads_total{result=\"refused\"} " + std::to_string(reloads_refused_) + "\n";
  header(out, "sot_spool_free_bytes", "gauge", "Free space on the spool's filesystem.");
  out += "sot_spool_free_bytes " + std::to_string(free_bytes_) + "\n";
  header(out, "sot_claiming", "gauge", "1 while new bundles are claimed, 0 while paused.");
  out += std::string("sot_claiming ") + (claiming_ ? "1" : "0") + "\n";
  header(out, "sot_instance_info", "gauge", "This daemon's instance name (label), always 1.");
  out += "sot_instance_info{instance=\"" + label(instance_) + "\"} 1\n";
  header(out, "sot_registry_up", "gauge", "1 while the registry answers, 0 while it does not.");
  out += std::string("sot_registry_up ") + (registry_up_ ? "1" : "0") + "\n";
  header(out, "sot_leases_held", "gauge", "Bundles this daemon holds a lease on.");
  out += "sot_leases_held " + std::to_string(leases_) + "\n";
  header(out, "sot_leases_lost_total", "counter",
         "Bundles this daemon lost to another after its lease expired (nothing of it written).");
  out += "sot_leases_lost_total " + std::to_string(leases_lost_) + "\n";
  header(out, "sot_taken_over_total", "counter",
         "Bundles this daemon took over from a holder whose lease expired.");
  out += "sot_taken_over_total " + std::to_string(taken_over_) + "\n";
  header(out, "sot_notifications_total", "counter",
         "Notifications to the portal: delivered, failed attempts, dead-lettered.");
  out +=
      "sot_notifications_total{result=\"delivered\"} " + std::to_string(notify_delivered_) + "\n";
  out += "sot_notifications_total{result=\"failed\"} " + std::to_string(notify_failed_) + "\n";
  out += "sot_notifications_total{result=\"dead\"} " + std::to_string(notify_dead_) + "\n";
  header(out, "sot_notifications_pending", "gauge", "Notifications not yet delivered nor dead.");
  out += "sot_notifications_pending " + std::to_string(notify_pending_) + "\n";
  header(out, "sot_clerk_decisions_total", "counter",
         "Decisions clerks took in this daemon's review UI, by action.");
  for (const char* a : {"register", "reject", "reprocess"}) {
    const auto it = clerk_decisions_.find(a);
    out += std::string("sot_clerk_decisions_total{action=\"") + a + "\"} " +
           std::to_string(it == clerk_decisions_.end() ? 0 : it->second) + "\n";
  }
  if (review_waiting_ >= 0) {
    header(out, "sot_review_waiting", "gauge",
           "Bundles waiting for a clerk (the registry's count).");
    out += "sot_review_waiting " + std::to_string(review_waiting_) + "\n";
  }
  return out;
}

}  // namespace sot::service
