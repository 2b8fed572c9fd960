#include "preflight/DraftArchive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <locale.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/FileName.hpp"
#include "core/Text.hpp"
#include "core/UniqueFd.hpp"

namespace sot::preflight {

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

ArchivePtr open_tar(std::string_view tar) {
  ArchivePtr a(archive_read_new());
  if (!a) return nullptr;
  // tar only (ustar, pax, GNU): no compression filters, no other formats.
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), tar.data(), tar.size()) != ARCHIVE_OK) return nullptr;
  return a;
}

std::string archive_why(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unreadable";
}

// The entry's name as UTF-8 (pax headers carry it so; ustar names are taken as bytes).
std::string entry_name(archive_entry* e) {
  if (const char* u = archive_entry_pathname_utf8(e)) return u;
  if (const char* p = archive_entry_pathname(e)) return p;
  return {};
}

enum class Kind { kManifest, kFile, kDirectory, kSignature };

// What the entry is in a draft bundle, or why it cannot be one.
std::optional<std::string> classify(std::string name, bool directory, Kind* kind,
                                    std::string* file) {
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  if (directory) {
    while (!name.empty() && name.back() == '/') name.pop_back();
    if (name.empty() || name == "." || name == "files") {
      *kind = Kind::kDirectory;
      return std::nullopt;
    }
    return "a directory other than files/";
  }
  if (name == "manifest.json") {
    *kind = Kind::kManifest;
    return std::nullopt;
  }
  if (name == "manifest.json.p7s") {
    *kind = Kind::kSignature;
    return std::nullopt;
  }
  if (name.rfind("files/", 0) != 0) return "not manifest.json or a file under files/";
  *file = name.substr(6);
  if (auto why = unsafe_file_name_reason(*file)) return "an unsafe file name: " + *why;
  *kind = Kind::kFile;
  return std::nullopt;
}

struct Walk {
  std::vector<DraftEntry> entries;
};

// One pass over the headers; `each(entry, kind, file)` is called for every accepted regular
// entry with the archive positioned at its data. Stops at the first problem.
// Names are UTF-8 (pax headers say so; the portal writes them so): read in a UTF-8 locale
// for this thread, whatever the daemon's own locale is.
class Utf8Locale {
 public:
  Utf8Locale() : loc_(::newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
    if (loc_) old_ = ::uselocale(loc_);
  }
  ~Utf8Locale() {
    if (loc_) {
      ::uselocale(old_);
      ::freelocale(loc_);
    }
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;

 private:
  locale_t loc_;
  locale_t old_ = nullptr;
};

template <typename Each>
std::optional<DraftProblem> walk(std::string_view tar, const DraftLimits& limits, Each each) {
  const Utf8Locale utf8;
  ArchivePtr a = open_tar(tar);
  if (!a) return DraftProblem{400, "not a tar archive"};
  std::uint32_t count = 0;
  std::uint64_t total = 0;
  std::set<std::string> seen;
  bool have_manifest = false;
  for (;;) {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    // ARCHIVE_WARN: a name that does not convert to the locale; it is judged by its bytes.
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return DraftProblem{400, "not a readable tar: " + archive_why(a.get())};
    if (++count > limits.max_entries)
      return DraftProblem{413, "more than " + std::to_string(limits.max_entries) + " entries"};
    const std::string raw = entry_name(e);
    const std::string shown = "'" + printable_name(raw) + "'";
    if (raw.empty()) return DraftProblem{400, "an entry without a name"};
    if (raw.front() == '/') return DraftProblem{400, shown + ": an absolute name"};
    if (archive_entry_hardlink(e) || archive_entry_symlink(e))
      return DraftProblem{400, shown + ": a link"};
    const auto type = archive_entry_filetype(e);
    if (type != AE_IFREG && type != AE_IFDIR)
      return DraftProblem{400, shown +
                                   ": not a regular file or a directory (a device, a FIFO, "
                                   "a socket or a link)"};
    if (archive_entry_sparse_count(e) > 0) return DraftProblem{400, shown + ": a sparse entry"};
    // ".." anywhere, before any other reading of the name.
    {
      std::string_view n = raw;
      for (std::size_t at = 0; at <= n.size();) {
        const std::size_t end = std::min(n.find('/', at), n.size());
        if (n.substr(at, end - at) == "..") return DraftProblem{400, shown + ": a '..' component"};
        at = end + 1;
      }
    }
    Kind kind{};
    std::string file;
    if (auto why = classify(raw, type == AE_IFDIR, &kind, &file))
      return DraftProblem{400, shown + ": " + *why};
    if (kind == Kind::kDirectory) continue;
    if (!archive_entry_size_is_set(e)) return DraftProblem{400, shown + ": no size"};
    const auto size = static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(e)));
    const std::uint64_t cap =
        kind == Kind::kManifest ? limits.manifest_max_bytes : limits.max_entry_bytes;
    if (size > cap)
      return DraftProblem{413, shown + ": " + std::to_string(size) + " bytes, over the limit of " +
                                   std::to_string(cap)};
    total += size;
    if (total > limits.max_total_bytes)
      return DraftProblem{413, "the files are over the limit of " +
                                   std::to_string(limits.max_total_bytes) + " bytes together"};
    if (kind == Kind::kSignature) continue;  // a draft is checked unsigned
    const std::string key =
        kind == Kind::kManifest ? std::string("manifest.json") : "files/" + file;
    if (!seen.insert(key).second) return DraftProblem{400, shown + ": the same name twice"};
    have_manifest |= kind == Kind::kManifest;
    DraftEntry d{kind == Kind::kManifest ? "manifest.json" : file, kind == Kind::kManifest, size};
    if (auto p = each(a.get(), d)) return p;
  }
  if (!have_manifest) return DraftProblem{400, "no manifest.json"};
  return std::nullopt;
}

}  // namespace

std::optional<DraftProblem> inspect_draft(std::string_view tar, const DraftLimits& limits,
                                          std::vector<DraftEntry>* entries) {
  std::vector<DraftEntry> found;
  auto p = walk(tar, limits, [&](archive*, const DraftEntry& d) -> std::optional<DraftProblem> {
    found.push_back(d);
    return std::nullopt;
  });
  if (!p && entries) *entries = std::move(found);
  return p;
}

std::optional<DraftProblem> extract_draft(std::string_view tar, const DraftLimits& limits,
                                          const std::filesystem::path& dir) {
  if (auto p = inspect_draft(tar, limits)) return p;  // nothing is written for a bad tar
  const UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd) return DraftProblem{500, "the draft's directory cannot be opened"};
  if (::mkdirat(dir_fd.get(), "files", 0700) != 0 && errno != EEXIST)
    return DraftProblem{500, "files/ cannot be made"};
  const UniqueFd files_fd(
      ::openat(dir_fd.get(), "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!files_fd) return DraftProblem{500, "files/ cannot be opened"};
  std::vector<char> buf(1 << 16);
  return walk(tar, limits, [&](archive* a, const DraftEntry& d) -> std::optional<DraftProblem> {
    const int at = d.manifest ? dir_fd.get() : files_fd.get();
    const UniqueFd out(
        ::openat(at, d.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) return DraftProblem{500, "'" + printable_name(d.name) + "' cannot be written"};
    std::uint64_t written = 0;
    for (;;) {
      const la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) return DraftProblem{400, "a truncated or damaged tar: " + archive_why(a)};
      written += static_cast<std::uint64_t>(n);
      if (written > d.size)  // more data than the header declared: never past the cap
        return DraftProblem{400, "'" + printable_name(d.name) + "': more data than declared"};
      for (la_ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(out.get(), buf.data() + done, static_cast<size_t>(n - done));
        if (w <= 0) return DraftProblem{500, "the draft cannot be written"};
        done += w;
      }
    }
    if (written != d.size) return DraftProblem{400, "'" + printable_name(d.name) + "': truncated"};
    return std::nullopt;
  });
}

void complete_manifest(const std::filesystem::path& dir, std::uint64_t manifest_max_bytes,
                       const std::string& submitted_at) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(dir / "manifest.json", ec);
  if (ec || size > manifest_max_bytes) return;
  std::string text;
  {
    std::ifstream in(dir / "manifest.json", std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  // Depth is bounded before parsing (as the manifest parser bounds it).
  int depth = 0, deepest = 0;
  for (const char c : text) {
    if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    if (c == '}' || c == ']') --depth;
  }
  if (deepest > 32) return;
  nlohmann::json m = nlohmann::json::parse(text, nullptr, false);
  if (!m.is_object()) return;
  bool changed = false;
  if (!submitted_at.empty() && !m.contains("submitted_at")) {
    m["submitted_at"] = submitted_at;
    changed = true;
  }
  nlohmann::json none = nlohmann::json::array();
  nlohmann::json& documents =
      m.contains("documents") && m["documents"].is_array() ? m["documents"] : none;
  for (auto& d : documents) {
    if (!d.is_object() || !d.contains("file") || !d["file"].is_string()) continue;
    const std::string name = d["file"].get<std::string>();
    if (unsafe_file_name_reason(name)) continue;
    const bool need_hash = !d.contains("sha256");
    const bool need_bytes = !d.contains("bytes");
    if (!need_hash && !need_bytes) continue;
    const UniqueFd fd(
        ::open((dir / "files" / name).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // FILE_MISSING
    if (need_bytes) d["bytes"] = static_cast<std::uint64_t>(st.st_size);
    if (need_hash) {
      std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
      EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
      std::vector<char> buf(1 << 16);
      for (ssize_t n; (n = ::read(fd.get(), buf.data(), buf.size())) > 0;)
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned len = 0;
      EVP_DigestFinal_ex(ctx.get(), md, &len);
      d["sha256"] = text::hex(std::string_view(reinterpret_cast<const char*>(md), len));
    }
    changed = true;
  }
  if (!changed) return;
  std::ofstream out(dir / "manifest.json", std::ios::binary | std::ios::trunc);
  out << m.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sot::preflight
