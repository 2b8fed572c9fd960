// The review queue as the UI reads it: every bundle in review/, kept in memory and refreshed
// from the directory on each request (a bundle's report is read again only when it changed),
// so that a search over 10,000 waiting bundles is a scan of memory, not of 10,000 reports.
// Assignments and ages are fresh on every request.
#pragma once

#include <chrono>
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
  void rescan(const std::filesystem::path& dir, std::filesystem::file_time_type dir_time,
              std::chrono::steady_clock::time_point now);
  std::vector<ReviewItem> current();

  spool::Spool& spool_;
  registry::Registry& registry_;
  std::mutex mutex_;
  std::map<std::string, Cached> cache_;  // by name in review/
  // review/ itself as last listed: a bundle arriving or leaving renames an entry in it, which
  // changes its modification time; until then the listing is not repeated (but at least every
  // kRescan, and always when the last change was too recent to be told apart from the scan).
  std::filesystem::file_time_type dir_time_{};
  std::chrono::steady_clock::time_point scanned_at_{};
  std::chrono::system_clock::time_point scanned_wall_{};
};

// The items that pass the filter, in its order.
std::vector<ReviewItem> apply_filter(std::vector<ReviewItem> items, const QueueFilter& f);
// Lower case, for ASCII and the Cyrillic letters (Russian and Kazakh).
std::string fold_case(std::string_view s);

}  // namespace sot::review
