// The review queue as the UI reads it: every bundle in review/, kept in memory and refreshed
// from the directory on each request (a bundle's report is read again only when it changed),
// so that a search over 10,000 waiting bundles is a scan of memory, not of 10,000 reports.
// Assignments and ages are fresh on every request.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "registry/Registry.hpp"
#include "review/Decisions.hpp"
#include "spool/Spool.hpp"

namespace sot::review {

struct QueueFilter {
  std::string text;          // in the bundle, submission, filer or court (case-insensitive)
  std::string court;         // in the court
  std::string code;          // one of the reasons
  std::string mine;          // this clerk's login: only bundles assigned to it ("" all)
  std::string sort = "age";  // age, bundle, court, kind
  bool asc = false;
};

class QueueIndex {
 public:
  QueueIndex(spool::Spool& spool, registry::Registry& registry);
  // Every bundle waiting in review now, oldest first.
  std::vector<ReviewItem> items();

 private:
  struct Cached {
    ReviewItem item;
    std::filesystem::file_time_type report_time;
    std::uintmax_t report_size = 0;
  };
  spool::Spool& spool_;
  registry::Registry& registry_;
  std::mutex mutex_;
  std::map<std::string, Cached> cache_;  // by name in review/
};

// The items that pass the filter, in its order.
std::vector<ReviewItem> apply_filter(std::vector<ReviewItem> items, const QueueFilter& f);
// Lower case, for ASCII and the Cyrillic letters (Russian and Kazakh).
std::string fold_case(std::string_view s);

}  // namespace sot::review
