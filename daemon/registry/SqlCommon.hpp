// What the two registry backends share (the same tables and columns, the same dialect for
// these queries): what a BundleRecord and an OutboxEvent are read from, and the helpers that
// turn times and reports into columns.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/Time.hpp"

namespace sot::registry::sql {

// Now, as the registry writes times (RFC 3339, UTC).
inline std::string now_text() {
  return format_rfc3339(SystemClock{}.now(), 0);
}

// Milliseconds since the epoch (lease expiries) as RFC 3339, UTC.
inline std::string rfc3339_ms(long long ms) {
  return format_rfc3339(SysSeconds(std::chrono::seconds(ms / 1000)), 0);
}

// The refused filing a report says it cures (spec §5.2), if any: the resubmission_of column.
inline std::optional<std::string> resubmission_of(const nlohmann::json& report) {
  const auto f = report.find("filing");
  if (f == report.end() || !f->is_object()) return std::nullopt;
  const auto r = f->find("resubmission_of");
  if (r == f->end() || !r->is_string()) return std::nullopt;
  return r->get<std::string>();
}

// A bundle's record; received_at is its first transition.
inline constexpr const char* kRecordColumns =
    "b.id, COALESCE(b.submission_id,''), b.state, COALESCE(b.outcome,''), "
    "COALESCE(b.placed_as,''), COALESCE(b.registration_number,''), COALESCE(b.court,''), "
    "COALESCE((SELECT MIN(at) FROM transitions t WHERE t.bundle=b.id), b.updated_at), "
    "b.updated_at, b.report";

#define SOT_EVENT_STATE                                                                        \
  "(CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN dead_at IS NOT NULL THEN 'dead' " \
  "ELSE 'pending' END)"
// An outbox event's state: pending, delivered or dead.
inline constexpr const char* kEventState = SOT_EVENT_STATE;
inline constexpr const char* kEventColumns =
    "id, submission, bundle, type, payload, created_at, attempts, " SOT_EVENT_STATE
    ", COALESCE(last_error,''), COALESCE(delivered_at,'')";
#undef SOT_EVENT_STATE

}  // namespace sot::registry::sql
