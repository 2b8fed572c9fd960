#include "core/Bundle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/FileName.hpp"

namespace sot {

namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

FileEntry::Type type_of(const struct stat& st) {
  if (S_ISREG(st.st_mode)) return FileEntry::Type::kRegular;
  if (S_ISLNK(st.st_mode)) return FileEntry::Type::kSymlink;
  if (S_ISDIR(st.st_mode)) return FileEntry::Type::kDirectory;
  return FileEntry::Type::kOther;
}

}  // namespace

std::optional<std::string> read_small_file_at(int dir_fd, const char* name, std::uint64_t max,
                                              std::string* why, bool* missing) {
  if (missing) *missing = false;
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    const int e = errno;
    if (e == ENOENT && missing) *missing = true;
    *why = e == ELOOP ? "is a symbolic link (never followed)" : errno_text(e);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    *why = errno_text(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = "is not a regular file";
    return std::nullopt;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max) {
    *why = "is " + std::to_string(st.st_size) + " bytes, over the limit of " + std::to_string(max);
    return std::nullopt;
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      *why = errno_text(errno);
      return std::nullopt;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

Bundle Bundle::open(const std::filesystem::path& dir, const BundleLimits& limits) {
  Bundle b;
  b.path_ = dir;
  b.id_ = dir.filename().string();
  if (b.id_.empty()) b.id_ = dir.parent_path().filename().string();

  b.dir_fd_.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!b.dir_fd_) {
    const int e = errno;
    if (e == ELOOP || e == ENOTDIR) {
      b.problems_.push_back(
          {std::nullopt, "", "bundle is not a directory (or is a symbolic link, never followed)"});
    } else {
      b.open_failure_ = "cannot open bundle directory: " + errno_text(e);
    }
    return b;
  }

  // Top level: a bundle is manifest.json, manifest.json.p7s and files/ (spec §2), nothing
  // else. Any other entry — a `result` the filer or the portal put there included — is
  // malformed and never followed, read or trusted; a link anywhere is refused.
  if (DIR* d = ::fdopendir(::dup(b.dir_fd_.get()))) {
    int seen = 0;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (++seen > 64) {
        b.problems_.push_back({std::nullopt, "", "more than 64 entries at the top of the bundle"});
        break;
      }
      struct stat st {};
      if (::fstatat(b.dir_fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      const bool known = name == "manifest.json" || name == "manifest.json.p7s" || name == "files";
      const bool own_result =
          name == "result" && limits.decided_result_allowed && S_ISDIR(st.st_mode);
      if (S_ISLNK(st.st_mode)) {
        b.problems_.push_back(
            {std::nullopt, "",
             "'" + printable_name(name) + "' is a symbolic link (never followed)"});
      } else if (!known && !own_result) {
        b.problems_.push_back({std::nullopt, "",
                               "'" + printable_name(name) +
                                   "' is not part of a bundle, which holds manifest.json, "
                                   "manifest.json.p7s and files/ only (never read)"});
      }
    }
    ::closedir(d);
  }

  // manifest.json
  std::string why;
  bool missing = false;
  if (auto bytes = read_small_file_at(b.dir_fd_.get(), "manifest.json", limits.manifest_max_bytes,
                                      &why, &missing)) {
    b.manifest_bytes_ = std::move(*bytes);
    b.manifest_read_ = true;
    ManifestParseResult parsed = parse_manifest(b.manifest_bytes_, limits.manifest);
    for (auto& v : parsed.violations)
      b.problems_.push_back({std::nullopt, v.field, "manifest.json: " + v.reason});
    b.manifest_ = std::move(parsed.manifest);
    b.submission_id_ = std::move(parsed.submission_id);
    b.submitted_at_ = parsed.submitted_at;
  } else {
    b.problems_.push_back(
        {std::nullopt, "", missing ? "manifest.json is missing" : "manifest.json " + why});
  }

  // manifest.json.p7s (verified by the signature stage; only read here)
  missing = false;
  if (auto sig = read_small_file_at(b.dir_fd_.get(), "manifest.json.p7s",
                                    limits.signature_max_bytes, &why, &missing)) {
    b.signature_ = std::move(*sig);
  } else if (!missing) {
    b.signature_unreadable_ = why;  // the signature stage reports it as SIGNATURE_INVALID
  }

  // files/
  b.files_fd_.reset(
      ::openat(b.dir_fd_.get(), "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!b.files_fd_) {
    const int e = errno;
    if (e != ENOENT)
      b.problems_.push_back({std::nullopt, "",
                             e == ELOOP || e == ENOTDIR
                                 ? "files/ is not a directory (or is a symbolic link)"
                                 : "cannot open files/: " + errno_text(e)});
    return b;
  }
  DIR* d = ::fdopendir(::dup(b.files_fd_.get()));
  if (!d) {
    b.problems_.push_back({std::nullopt, "", "cannot list files/: " + errno_text(errno)});
    return b;
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (b.files_.size() >= limits.max_files) {
      b.files_truncated_ = true;
      b.problems_.push_back({std::nullopt, "",
                             "files/ holds more than " + std::to_string(limits.max_files) +
                                 " entries; the rest were not examined"});
      break;
    }
    FileEntry f;
    f.name = name;
    struct stat st {};
    if (::fstatat(b.files_fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    f.type = type_of(st);
    f.size = static_cast<std::uint64_t>(st.st_size);
    const std::string shown = printable_name(name);
    if (auto unsafe = unsafe_file_name_reason(name)) {
      f.safe_name = false;
      b.problems_.push_back({shown, "", "unsafe file name: " + *unsafe});
    } else if (f.type == FileEntry::Type::kSymlink) {
      b.problems_.push_back({shown, "", "is a symbolic link (never followed)"});
    } else if (f.type == FileEntry::Type::kDirectory) {
      b.problems_.push_back({shown, "", "is a directory; each document is one file in files/"});
    } else if (f.type == FileEntry::Type::kOther) {
      b.problems_.push_back({shown, "", "is not a regular file"});
    } else if (st.st_nlink > 1) {
      // The same file under another name elsewhere (a hard link): it may be anything on the
      // filesystem, not what the filer uploaded. Never read.
      f.type = FileEntry::Type::kOther;
      b.problems_.push_back(
          {shown, "", "has other names on the filesystem (a hard link): never read"});
    }
    b.files_.push_back(std::move(f));
  }
  ::closedir(d);
  // Directory order differs between filesystems; reports list files in byte order.
  std::sort(b.files_.begin(), b.files_.end(),
            [](const FileEntry& x, const FileEntry& y) { return x.name < y.name; });
  return b;
}

const FileEntry* Bundle::file(std::string_view name) const {
  for (const auto& f : files_)
    if (f.name == name) return &f;
  return nullptr;
}

UniqueFd Bundle::open_file(const FileEntry& f, std::string* why) const {
  if (!files_fd_ || !f.safe_name || f.type != FileEntry::Type::kRegular) {
    *why = "not a regular file with a safe name";
    return UniqueFd{};
  }
  UniqueFd fd(::openat(files_fd_.get(), f.name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    *why = errno_text(errno);
    return fd;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
    *why = "changed into something other than a regular file of its own";
    return UniqueFd{};
  }
  return fd;
}

}  // namespace sot
