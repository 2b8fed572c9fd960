// SQL shared by the two registry backends (the same tables and columns, the same dialect
// for these queries): what a BundleRecord and an OutboxEvent are read from.
#pragma once

namespace sot::registry::sql {

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
