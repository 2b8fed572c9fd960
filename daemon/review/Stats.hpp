// The registry at a glance, for lead clerks (/review/stats): per day and court, bundles
// received and decided and their outcomes; the top reasons of rejection and of review; the
// median and 90th percentile of the time from arrival to decision, automatic and by clerks;
// each clerk's decisions. Everything is read from the registry (the state of record), so the
// numbers are the registry's own.
//
// Definitions: a bundle counts as received on the local day of its first transition; as
// decided (registered or rejected) on the day its outcome was recorded; "review" counts the
// bundles waiting for a clerk now, on the day they were received. A decision is a clerk's when
// its report names the clerk (decision.by).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/Registry.hpp"

namespace sot::review {

struct DayCourt {
  int received = 0, registered = 0, rejected = 0, review = 0;
  int decided() const { return registered + rejected; }
};

struct Durations {
  std::vector<double> minutes;  // arrival → decision, one per decision
  double median() const;
  double p90() const;
};

struct ClerkStats {
  int registered = 0, rejected = 0;
  Durations time;
};

struct RegistryStats {
  std::string since;                                             // first day in the window
  std::map<std::pair<std::string, std::string>, DayCourt> rows;  // (day, court)
  DayCourt totals;
  std::map<std::string, int> reject_reasons, review_reasons;
  Durations automatic, by_clerks;
  std::map<std::string, ClerkStats> clerks;
};

// The last `days` days (today included) of the registry, one court or all ("").
RegistryStats compute_stats(registry::Registry& registry, int days, const std::string& court);

// The stats page's model (numbers, table rows, SVG charts' geometry) in `lang`.
nlohmann::json stats_model(const RegistryStats& s, const std::string& lang);

}  // namespace sot::review
