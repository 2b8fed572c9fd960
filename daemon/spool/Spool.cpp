#include "spool/Spool.hpp"

#include "core/Manifest.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sot::spool {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, int err) {
  throw SpoolError(what + ": " + std::strerror(err));
}

}  // namespace

bool is_bundle_id(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

std::string directory_of(Outcome o) {
  return std::string(sot::to_string(o));
}

void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open " + p.string() + " for fsync", errno);
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail("fsync " + p.string(), e);
  }
  ::close(fd);
}

bool durable_rename(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (errno == ENOENT) return false;
    fail("rename " + from.string() + " → " + to.string(), errno);
  }
  fsync_path(to.parent_path());
  if (from.parent_path() != to.parent_path()) fsync_path(from.parent_path());
  return true;
}

Spool::Spool(fs::path root) : root_(std::move(root)) {
  for (const char* d : {"", "tmp", "incoming", "active", "registered", "rejected", "review",
                        "quarantine", "deciding", "state"}) {
    const fs::path p = root_ / d;
    if (::mkdir(p.c_str(), 0750) != 0 && errno != EEXIST) fail("mkdir " + p.string(), errno);
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw SpoolError(p.string() + " is not a directory");
  }
  fsync_path(root_);
}

std::vector<Spool::Incoming> Spool::scan_incoming(std::vector<std::string>* quarantined) {
  struct Entry {
    std::string name;
    struct timespec mtime;
    struct timespec ctime;
  };
  std::vector<Entry> entries;
  DIR* d = ::opendir(incoming().c_str());
  if (!d) fail("opendir " + incoming().string(), errno);
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone
    if (!is_bundle_id(name) || !S_ISDIR(st.st_mode)) {
      if (quarantined) quarantined->push_back(name);
      continue;
    }
    entries.push_back({name, st.st_mtim, st.st_ctim});
  }
  ::closedir(d);
  if (quarantined)
    for (const auto& q : *quarantined) quarantine(q);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.mtime.tv_sec != b.mtime.tv_sec) return a.mtime.tv_sec < b.mtime.tv_sec;
    if (a.mtime.tv_nsec != b.mtime.tv_nsec) return a.mtime.tv_nsec < b.mtime.tv_nsec;
    return a.name < b.name;
  });
  std::vector<Incoming> out;
  for (auto& e : entries)
    out.push_back(
        {std::move(e.name), std::chrono::system_clock::time_point(
                                std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                    std::chrono::seconds(e.ctime.tv_sec) +
                                    std::chrono::nanoseconds(e.ctime.tv_nsec)))});
  return out;
}

std::uint64_t Spool::free_bytes() const {
  struct statvfs v {};
  if (::statvfs(root_.c_str(), &v) != 0) return 0;
  return static_cast<std::uint64_t>(v.f_bavail) * v.f_frsize;
}

void Spool::quarantine(const std::string& name) {
  // The name itself may be anything: the quarantined entry gets a safe name of its own.
  const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
  std::string safe;
  for (unsigned char c : name.substr(0, 64)) safe += std::isalnum(c) ? static_cast<char>(c) : '_';
  const fs::path to = root_ / "quarantine" / (std::to_string(stamp) + "-" + safe);
  durable_rename(incoming() / name, to);  // never followed, never deleted
}

bool Spool::claim(const std::string& id) {
  const fs::path to = active() / id;
  struct stat st {};
  if (::lstat(to.c_str(), &st) == 0) return false;  // already being processed
  return durable_rename(incoming() / id, to);
}

void Spool::write_result(const std::string& id, const std::string& name, const std::string& data) {
  write_result_at(active() / id, name, data);
}

void Spool::write_result_at(const fs::path& bundle_dir, const std::string& name,
                            const std::string& data) {
  const fs::path dir = bundle_dir / "result";
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) fail("mkdir " + dir.string(), errno);
  const fs::path tmp = dir / (name + ".tmp");
#ifdef SOT_FAULT_INJECTION
  // Test builds only: while the file SOT_FAULT_ENOSPC names exists, writes fail as on a full
  // filesystem.
  if (const char* flag = std::getenv("SOT_FAULT_ENOSPC"); flag && ::access(flag, F_OK) == 0)
    fail("write " + tmp.string(), ENOSPC);
#endif
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) fail("create " + tmp.string(), errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("write " + tmp.string(), e);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail("fsync " + tmp.string(), e);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), (dir / name).c_str()) != 0) fail("rename " + tmp.string(), errno);
  fsync_path(dir);
  fsync_path(dir.parent_path());
}

std::optional<nlohmann::json> Spool::finished_report(const std::string& id) const {
  return report_at(active() / id);
}

std::optional<nlohmann::json> Spool::report_at(const fs::path& bundle_dir) const {
  return read_report(bundle_dir);
}

std::optional<nlohmann::json> read_report(const fs::path& bundle_dir) {
  const fs::path p = bundle_dir / "result" / "report.json";
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    auto j = nlohmann::json::parse(ss.str());
    if (j.is_object() && j.contains("outcome")) return j;
  } catch (const nlohmann::json::exception&) {
  }
  return std::nullopt;
}

std::string Spool::finish(const std::string& id, Outcome o) {
  return move_to_outcome(active() / id, id, o);
}

std::string Spool::move_to_outcome(const fs::path& from, const std::string& id, Outcome o) {
  const fs::path dir = outcome_dir(o);
  std::string name = id;
  for (int n = 1;; ++n) {
    struct stat st {};
    if (::lstat((dir / name).c_str(), &st) != 0) break;
    name = id + "." + std::to_string(n);
  }
  if (!durable_rename(from, dir / name))
    throw SpoolError("bundle " + id + " vanished from " + from.parent_path().filename().string() +
                     "/ before its outcome move");
  return name;
}

bool Spool::claim_for_decision(const std::string& placed_as, Outcome from) {
  if (!is_bundle_id(placed_as)) return false;
  return durable_rename(outcome_dir(from) / placed_as, deciding() / placed_as);
}

std::string Spool::finish_decision(const std::string& placed_as, Outcome o) {
  return move_to_outcome(deciding() / placed_as, placed_as, o);
}

void Spool::abandon_decision(const std::string& placed_as, Outcome back_to) {
  if (!durable_rename(deciding() / placed_as, outcome_dir(back_to) / placed_as))
    throw SpoolError("bundle " + placed_as + " vanished from deciding/");
}

bool Spool::return_to_incoming(const std::string& placed_as) {
  if (!is_bundle_id(placed_as)) return false;
  struct stat st {};
  if (::lstat((incoming() / placed_as).c_str(), &st) == 0) return false;  // one is waiting
  return durable_rename(outcome_dir(Outcome::kReview) / placed_as, incoming() / placed_as);
}

std::vector<std::string> Spool::recover_decisions() {
  std::vector<std::string> done;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(deciding(), ec)) {
    const std::string name = e.path().filename().string();
    if (!is_bundle_id(name)) continue;
    // The report is rewritten before the move: it names either the new outcome (finish the
    // move) or still the old one (the change was never written: back where it came from).
    const auto report = report_at(e.path());
    const std::string o = report ? report->value("outcome", "review") : "review";
    finish_decision(name, o == "registered" ? Outcome::kRegistered
                          : o == "rejected" ? Outcome::kRejected
                                            : Outcome::kReview);
    done.push_back(name);
  }
  return done;
}

std::vector<std::string> Spool::list_active() const {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(active()))
    if (is_bundle_id(e.path().filename().string())) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

Recovered Spool::recover() {
  Recovered r;
  for (const auto& id : list_active()) {
    if (auto report = finished_report(id)) {
      const std::string o = report->value("outcome", "review");
      finish(id, o == "registered" ? Outcome::kRegistered
                 : o == "rejected" ? Outcome::kRejected
                                   : Outcome::kReview);
      r.finished.push_back(id);
      continue;
    }
    // No decision yet: drop our partial results (temp files only); process it again.
    std::error_code ec;
    const fs::path result = active() / id / "result";
    if (fs::is_directory(result, ec)) {
      for (const auto& e : fs::directory_iterator(result, ec))
        if (e.path().extension() == ".tmp") fs::remove(e.path(), ec);
    }
    r.resume.push_back(id);
  }
  return r;
}

std::optional<std::string> peek_submission_id(const fs::path& bundle_dir, std::uint64_t max_bytes) {
  const int fd = ::open((bundle_dir / "manifest.json").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string bytes;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::uint64_t>(st.st_size) <= max_bytes) {
    bytes.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
  }
  ::close(fd);
  if (bytes.empty()) return std::nullopt;
  return parse_manifest(bytes).submission_id;
}

}  // namespace sot::spool
