#include "spool/Spool.hpp"

#include "core/Manifest.hpp"
#include "core/UniqueFd.hpp"

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
  // Between two directories of one root (<root>/<area>/<name>, the spool's case): through
  // directory descriptors that never follow a link, so no path component can be redirected.
  const fs::path root = from.parent_path().parent_path();
  if (!root.empty() && root == to.parent_path().parent_path()) {
    const UniqueFd r(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!r) fail("open " + root.string(), errno);
    const auto area = [&](const fs::path& dir) {
      UniqueFd fd(::openat(r.get(), dir.filename().c_str(),
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) fail("open " + dir.string(), errno);
      return fd;
    };
    const UniqueFd a = area(from.parent_path());
    const UniqueFd b = area(to.parent_path());
    if (::renameat(a.get(), from.filename().c_str(), b.get(), to.filename().c_str()) != 0) {
      if (errno == ENOENT) return false;
      fail("rename " + from.string() + " → " + to.string(), errno);
    }
    if (::fsync(b.get()) != 0) fail("fsync " + to.parent_path().string(), errno);
    if (from.parent_path() != to.parent_path() && ::fsync(a.get()) != 0)
      fail("fsync " + from.parent_path().string(), errno);
    return true;
  }
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
                        "quarantine", "deciding", "state", "set-aside"}) {
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

UniqueFd Spool::open_bundle(const fs::path& bundle_dir) const {
  // <root>/<area>/<bundle>: the area is ours, the bundle a validated name; neither is ever
  // followed as a link.
  const fs::path area = bundle_dir.parent_path();
  if (area.parent_path() == root_) {
    UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root) fail("open " + root_.string(), errno);
    UniqueFd a(::openat(root.get(), area.filename().c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!a) fail("open " + area.string(), errno);
    UniqueFd b(::openat(a.get(), bundle_dir.filename().c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!b) fail("open " + bundle_dir.string(), errno);
    return b;
  }
  UniqueFd b(::open(bundle_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!b) fail("open " + bundle_dir.string(), errno);
  return b;
}

void Spool::write_result_at(const fs::path& bundle_dir, const std::string& name,
                            const std::string& data) {
  // Through directory descriptors, never following a link: a result/ that is not the real
  // directory the daemon made (a link, a file) fails the write instead of being written
  // through. (set_aside() has taken away anything the bundle brought.)
  const UniqueFd bundle = open_bundle(bundle_dir);
  if (::mkdirat(bundle.get(), "result", 0750) != 0 && errno != EEXIST)
    fail("mkdir " + (bundle_dir / "result").string(), errno);
  const UniqueFd dir(
      ::openat(bundle.get(), "result", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) fail("open " + (bundle_dir / "result").string(), errno);
  const std::string tmp = name + ".tmp";
#ifdef SOT_FAULT_INJECTION
  // Test builds only: while the file SOT_FAULT_ENOSPC names exists, writes fail as on a full
  // filesystem.
  if (const char* flag = std::getenv("SOT_FAULT_ENOSPC"); flag && ::access(flag, F_OK) == 0)
    fail("write " + (bundle_dir / "result" / tmp).string(), ENOSPC);
#endif
  const int fd =
      ::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) fail("create " + (bundle_dir / "result" / tmp).string(), errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      ::unlinkat(dir.get(), tmp.c_str(), 0);
      fail("write " + (bundle_dir / "result" / tmp).string(), e);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail("fsync " + (bundle_dir / "result" / tmp).string(), e);
  }
  ::close(fd);
  if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0)
    fail("rename " + (bundle_dir / "result" / tmp).string(), errno);
  if (::fsync(dir.get()) != 0) fail("fsync " + (bundle_dir / "result").string(), errno);
  if (::fsync(bundle.get()) != 0) fail("fsync " + bundle_dir.string(), errno);
}

std::vector<std::string> Spool::set_aside(const fs::path& bundle_dir, const std::string& label) {
  const UniqueFd bundle = open_bundle(bundle_dir);
  std::vector<std::string> names;
  if (DIR* d = ::fdopendir(::dup(bundle.get()))) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name == "." || name == ".." || name == "manifest.json" || name == "manifest.json.p7s" ||
          name == "files")
        continue;
      names.push_back(name);
    }
    ::closedir(d);
  } else {
    fail("list " + bundle_dir.string(), errno);
  }
  if (names.empty()) return {};
  std::sort(names.begin(), names.end());
  const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
  const std::string where = label + "." + std::to_string(stamp);
  const fs::path aside = root_ / "set-aside" / where;
  if (::mkdir(aside.c_str(), 0750) != 0) fail("mkdir " + aside.string(), errno);
  const UniqueFd to(::open(aside.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!to) fail("open " + aside.string(), errno);
  std::vector<std::string> moved;
  int n = 0;
  for (const auto& name : names) {
    // Each entry keeps a safe name of its own; the rename moves a link or a directory as it
    // is, never into what it points to.
    std::string safe;
    for (unsigned char c : name.substr(0, 64))
      safe += std::isalnum(c) || c == '.' || c == '-' || c == '_' ? static_cast<char>(c) : '_';
    if (safe.empty() || safe[0] == '.') safe = "entry" + safe;
    safe = std::to_string(++n) + "-" + safe;
    if (::renameat(bundle.get(), name.c_str(), to.get(), safe.c_str()) != 0)
      fail("set aside " + (bundle_dir / name).string(), errno);
    moved.push_back("set-aside/" + where + "/" + safe);
  }
  if (::fsync(to.get()) != 0) fail("fsync " + aside.string(), errno);
  if (::fsync(bundle.get()) != 0) fail("fsync " + bundle_dir.string(), errno);
  fsync_path(aside.parent_path());
  return moved;
}

std::optional<nlohmann::json> Spool::report_at(const fs::path& bundle_dir) const {
  return read_report(bundle_dir);
}

std::optional<std::string> read_report_text(const fs::path& bundle_dir) {
  const UniqueFd dir(::open(bundle_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return std::nullopt;
  const UniqueFd result(
      ::openat(dir.get(), "result", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!result) return std::nullopt;
  const UniqueFd fd(::openat(result.get(), "report.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20))
    return std::nullopt;
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

std::optional<nlohmann::json> read_report(const fs::path& bundle_dir) {
  const auto text = read_report_text(bundle_dir);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_object() && j.contains("outcome")) return j;
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

bool Spool::decision_to_incoming(const std::string& placed_as) {
  if (!is_bundle_id(placed_as)) return false;
  struct stat st {};
  if (::lstat((incoming() / placed_as).c_str(), &st) == 0) return false;  // one is waiting
  return durable_rename(deciding() / placed_as, incoming() / placed_as);
}

std::vector<std::string> Spool::list_deciding() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(deciding(), ec))
    if (is_bundle_id(e.path().filename().string())) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Spool::list_active() const {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(active()))
    if (is_bundle_id(e.path().filename().string())) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_manifest_bytes(const fs::path& bundle_dir, std::uint64_t max_bytes) {
  // O_NONBLOCK: a FIFO put there by whoever writes the spool never blocks the daemon (it is
  // then refused as not a regular file).
  const int fd = ::open((bundle_dir / "manifest.json").c_str(),
                        O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {};
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
  return bytes;
}

ManifestParseResult peek_manifest(const fs::path& bundle_dir, std::uint64_t max_bytes) {
  const std::string bytes = read_manifest_bytes(bundle_dir, max_bytes);
  if (bytes.empty()) return {};
  return parse_manifest(bytes);
}

std::optional<std::string> peek_submission_id(const fs::path& bundle_dir, std::uint64_t max_bytes) {
  return peek_manifest(bundle_dir, max_bytes).submission_id;
}

}  // namespace sot::spool
