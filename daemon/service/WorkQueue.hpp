// The queue of bundles waiting for a worker thread. An interface: this host's in-memory queue
// (fed by the spool scan: incoming/ oldest first, and what a crash left in active/) serves
// one daemon; a shared backend lets several daemons on several machines take from one queue
// with the same calls (the claim by rename stays the arbiter of who processes a bundle).
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
  bool already_active = false;  // left in active/ by a crash: process where it is
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
