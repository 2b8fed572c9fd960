// A bundle on disk (spec §2): manifest.json, manifest.json.p7s and files/<name>.
//
// Security: the directory is opened once with O_NOFOLLOW and everything inside is reached
// relative to that descriptor with O_NOFOLLOW | O_NONBLOCK; a symlink anywhere, a FIFO or a
// device is reported and never opened, so a hostile bundle can neither point us outside
// itself nor block a reader. Entry counts and the manifest's size are bounded before any
// large read. Opening never throws: every problem becomes a `BundleProblem`, which the
// integrity stage reports as BUNDLE_MALFORMED.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/Manifest.hpp"
#include "core/UniqueFd.hpp"

namespace sot {

struct BundleLimits {
  std::uint64_t manifest_max_bytes = 1 << 20;
  std::uint64_t signature_max_bytes = 1 << 20;
  std::uint32_t max_files = 1000;
  ManifestLimits manifest;
  // A decided bundle (reprocessing a spool's outcome directories) carries the daemon's own
  // result/ directory; in an arriving bundle a result/ is malformed like any extra entry.
  bool decided_result_allowed = false;
};

struct BundleProblem {
  std::optional<std::string> file;  // a name under files/, when the problem is one file's
  std::string field;                // the manifest field, when it is the manifest's
  std::string reason;
};

struct FileEntry {
  enum class Type { kRegular, kSymlink, kDirectory, kOther };
  std::string name;  // raw bytes of the directory entry
  Type type = Type::kOther;
  std::uint64_t size = 0;
  bool safe_name = true;  // false: reported, never opened
};

class Bundle {
 public:
  // Opens the bundle at `dir`. Never throws; see problems().
  static Bundle open(const std::filesystem::path& dir, const BundleLimits& limits);

  const std::string& id() const { return id_; }
  const std::filesystem::path& path() const { return path_; }

  // Structural problems and manifest violations, in the order found.
  const std::vector<BundleProblem>& problems() const { return problems_; }
  // Set when the bundle could not be read at all for a reason that is not its own shape
  // (missing path, permissions, I/O): a processing failure, never the filer's fault.
  const std::optional<std::string>& open_failure() const { return open_failure_; }

  // The parsed manifest, or null when it is missing or violates the schema.
  const Manifest* manifest() const { return manifest_ ? &*manifest_ : nullptr; }
  const std::string& manifest_bytes() const { return manifest_bytes_; }
  // manifest.json was read (its bytes may still be empty or not JSON).
  bool manifest_read() const { return manifest_read_; }
  // The manifest's submission_id when that field is valid, with or without a usable manifest.
  const std::optional<std::string>& submission_id() const { return submission_id_; }
  // The manifest's submitted_at when that field is valid, with or without a usable manifest.
  const std::optional<Timestamp>& submitted_at() const { return submitted_at_; }

  // manifest.json.p7s: present (as a regular file) and its bytes when within the limit.
  bool has_signature() const { return signature_.has_value(); }
  const std::optional<std::string>& signature_bytes() const { return signature_; }
  // Why manifest.json.p7s exists but cannot be used (a link, not a regular file, too large).
  const std::optional<std::string>& signature_unreadable() const { return signature_unreadable_; }

  // Every entry under files/, in directory order (see FileEntry::type and safe_name).
  const std::vector<FileEntry>& files() const { return files_; }
  const FileEntry* file(std::string_view name) const;
  // True when files/ held more entries than the limit and the listing stopped.
  bool files_truncated() const { return files_truncated_; }

  // Opens a listed regular file for reading (O_NOFOLLOW, checked to still be regular).
  // Returns an invalid fd and sets `why` on failure.
  UniqueFd open_file(const FileEntry& f, std::string* why) const;

 private:
  std::string id_;
  std::filesystem::path path_;
  UniqueFd dir_fd_;
  UniqueFd files_fd_;
  std::vector<BundleProblem> problems_;
  std::optional<std::string> open_failure_;
  std::string manifest_bytes_;
  bool manifest_read_ = false;
  std::optional<Manifest> manifest_;
  std::optional<std::string> submission_id_;
  std::optional<Timestamp> submitted_at_;
  std::optional<std::string> signature_;
  std::optional<std::string> signature_unreadable_;
  std::vector<FileEntry> files_;
  bool files_truncated_ = false;
};

// Reads at most `max` bytes of a regular file at `name` relative to `dir_fd` without
// following links. Fails (nullopt + why) for a missing file, a link, a non-regular file or
// one larger than `max`.
std::optional<std::string> read_small_file_at(int dir_fd, const char* name, std::uint64_t max,
                                              std::string* why, bool* missing = nullptr);

}  // namespace sot
