#include "review/Queue.hpp"

#include <algorithm>

namespace sot::review {

namespace fs = std::filesystem;

QueueIndex::QueueIndex(spool::Spool& spool, registry::Registry& registry)
    : spool_(spool), registry_(registry) {}

namespace {
constexpr auto kRescan = std::chrono::seconds(30);
}  // namespace

std::vector<ReviewItem> QueueIndex::items() {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  const fs::path dir = spool_.outcome_dir(Outcome::kReview);
  const auto dir_time = fs::last_write_time(dir, ec);
  const auto now = std::chrono::steady_clock::now();
  // The directory's time is trusted only when it is older than the last scan by a margin (a
  // rename in the same clock tick as the scan would otherwise go unseen).
  const bool unchanged =
      !ec && dir_time == dir_time_ && now - scanned_at_ < kRescan &&
      std::chrono::file_clock::to_sys(dir_time) + std::chrono::seconds(2) < scanned_wall_;
  if (!unchanged) rescan(dir, dir_time, now);
  return current();
}

void QueueIndex::rescan(const fs::path& dir, fs::file_time_type dir_time,
                        std::chrono::steady_clock::time_point now) {
  std::error_code ec;
  std::map<std::string, Cached> fresh;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!spool::is_bundle_id(name) || !e.is_directory(ec)) continue;
    const fs::path report = e.path() / "result" / "report.json";
    std::error_code rec;
    const auto time = fs::last_write_time(report, rec);
    const auto size = rec ? 0 : fs::file_size(report, rec);
    const auto it = cache_.find(name);
    if (it != cache_.end() && !rec && it->second.report_time == time &&
        it->second.report_size == size) {
      fresh.emplace(name, std::move(it->second));
      continue;
    }
    fresh.emplace(name, Cached{review_item(spool_, registry_, e.path()), time, size});
  }
  cache_ = std::move(fresh);
  dir_time_ = dir_time;
  scanned_at_ = now;
  scanned_wall_ = std::chrono::system_clock::now();
}

std::vector<ReviewItem> QueueIndex::current() {
  const auto assignees = registry_.assignees();
  std::vector<ReviewItem> out;
  out.reserve(cache_.size());
  for (const auto& [name, c] : cache_) {
    ReviewItem item = c.item;
    item.age_hours = hours_since(item.received_at);
    const auto a = assignees.find(item.bundle);
    item.assignee = a == assignees.end() ? std::string() : a->second;
    out.push_back(std::move(item));
  }
  std::stable_sort(out.begin(), out.end(), [](const ReviewItem& a, const ReviewItem& b) {
    return a.age_hours > b.age_hours;
  });
  return out;
}

std::string fold_case(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(std::tolower(c));
      continue;
    }
    // Two-byte UTF-8 (Cyrillic: U+0400..U+04FF).
    if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      unsigned cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
      if (cp >= 0x410 && cp <= 0x42F)
        cp += 0x20;  // А..Я
      else if (cp >= 0x400 && cp <= 0x40F)
        cp += 0x50;  // Ѐ..Џ
      else if (cp >= 0x460 && cp <= 0x4FF && cp % 2 == 0 && cp != 0x4C0)
        cp += 1;  // the paired letters: Ә Ғ Қ Ң Ө Ұ Ү Һ …
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::vector<ReviewItem> apply_filter(std::vector<ReviewItem> items, const QueueFilter& f) {
  const std::string text = fold_case(f.text), court = fold_case(f.court);
  std::erase_if(items, [&](const ReviewItem& i) {
    if (!text.empty() && fold_case(i.bundle + " " + i.placed_as + " " + i.submission_id + " " +
                                   i.filer + " " + i.court)
                                 .find(text) == std::string::npos)
      return true;
    if (!court.empty() && fold_case(i.court).find(court) == std::string::npos) return true;
    if (!f.code.empty() && std::find(i.reasons.begin(), i.reasons.end(), f.code) == i.reasons.end())
      return true;
    if (!f.mine.empty() && i.assignee != f.mine) return true;
    return false;
  });
  const std::string sort = f.sort;
  std::stable_sort(items.begin(), items.end(), [&](const ReviewItem& a, const ReviewItem& b) {
    int c = 0;
    if (sort == "court")
      c = a.court.compare(b.court);
    else if (sort == "kind")
      c = a.kind.compare(b.kind);
    else if (sort == "bundle")
      c = a.placed_as.compare(b.placed_as);
    else
      c = a.age_hours < b.age_hours ? -1 : a.age_hours > b.age_hours ? 1 : 0;
    if (sort == "age") c = -c;  // oldest first by default
    return f.asc ? c > 0 : c < 0;
  });
  return items;
}

}  // namespace sot::review
