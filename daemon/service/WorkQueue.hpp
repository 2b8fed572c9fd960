// The bundles this daemon has claimed (under a registry lease, oldest first across every
// daemon sharing the registry) and not yet given to a worker thread. The registry decides who
// processes a bundle; this queue only hands this daemon's claims to its workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace sot::service {

struct WorkItem {
  std::string id;
  long long token = 0;          // the registry lease's fencing token (registry::Token)
  std::string previous_holder;  // the daemon it was taken over from, if any
};

class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  // Adds a bundle unless it is already waiting or in flight; true when added.
  virtual bool offer(WorkItem item) = 0;
  // The next bundle (oldest first), blocking; nullopt once closed.
  virtual std::optional<WorkItem> take() = 0;
  // The bundle taken is finished (decided, or left for the next start after a fatal error).
  virtual void done(const std::string& id) = 0;
  // Wakes every taker with nullopt; nothing is taken after this.
  virtual void close() = 0;
  virtual std::size_t waiting() const = 0;
  virtual std::size_t in_flight() const = 0;
};

class LocalWorkQueue final : public WorkQueue {
 public:
  bool offer(WorkItem item) override;
  std::optional<WorkItem> take() override;
  void done(const std::string& id) override;
  void close() override;
  std::size_t waiting() const override;
  std::size_t in_flight() const override;

 private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<WorkItem> queue_;
  std::set<std::string> known_;  // waiting or in flight
  std::size_t in_flight_ = 0;
  bool closed_ = false;
};

}  // namespace sot::service
