#include "service/WorkQueue.hpp"

namespace sot::service {

bool LocalWorkQueue::offer(WorkItem item) {
  {
    std::lock_guard lock(m_);
    if (closed_ || !known_.insert(item.id).second) return false;
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
  return true;
}

std::optional<WorkItem> LocalWorkQueue::take() {
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
  if (closed_) return std::nullopt;  // queued bundles stay where they are for the next start
  WorkItem item = std::move(queue_.front());
  queue_.pop_front();
  ++in_flight_;
  return item;
}

void LocalWorkQueue::done(const std::string& id) {
  std::lock_guard lock(m_);
  known_.erase(id);
  if (in_flight_ > 0) --in_flight_;
}

void LocalWorkQueue::close() {
  {
    std::lock_guard lock(m_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::size_t LocalWorkQueue::waiting() const {
  std::lock_guard lock(m_);
  return queue_.size();
}

std::size_t LocalWorkQueue::in_flight() const {
  std::lock_guard lock(m_);
  return in_flight_;
}

}  // namespace sot::service
