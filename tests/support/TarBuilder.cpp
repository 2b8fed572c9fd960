#include "support/TarBuilder.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sot::test {

namespace {

la_ssize_t append(archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

}  // namespace

std::string make_tar(const std::vector<TarEntry>& entries) {
  // Names are written as UTF-8 pax headers, as a portal (or GNU tar, or Python) writes them.
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
  const locale_t old = utf8 ? uselocale(utf8) : nullptr;
  struct Restore {
    locale_t utf8, old;
    ~Restore() {
      if (utf8) {
        uselocale(old);
        freelocale(utf8);
      }
    }
  } restore{utf8, old};
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            &archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &out, nullptr, append, nullptr) != ARCHIVE_OK)
    throw std::runtime_error("tar: cannot open");
  for (const auto& e : entries) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> en(archive_entry_new(),
                                                                     &archive_entry_free);
    archive_entry_set_pathname_utf8(en.get(), e.name.c_str());
    archive_entry_set_perm(en.get(), 0644);
    long long size = 0;
    switch (e.type) {
      case TarEntry::Type::kFile:
        archive_entry_set_filetype(en.get(), AE_IFREG);
        size = e.size >= 0 ? e.size : static_cast<long long>(e.content.size());
        break;
      case TarEntry::Type::kDirectory:
        archive_entry_set_filetype(en.get(), AE_IFDIR);
        archive_entry_set_perm(en.get(), 0755);
        break;
      case TarEntry::Type::kSymlink:
        archive_entry_set_filetype(en.get(), AE_IFLNK);
        archive_entry_set_symlink(en.get(), e.link.c_str());
        break;
      case TarEntry::Type::kHardlink:
        archive_entry_set_filetype(en.get(), AE_IFREG);
        archive_entry_set_hardlink(en.get(), e.link.c_str());
        break;
      case TarEntry::Type::kFifo:
        archive_entry_set_filetype(en.get(), AE_IFIFO);
        break;
      case TarEntry::Type::kCharDevice:
        archive_entry_set_filetype(en.get(), AE_IFCHR);
        archive_entry_set_rdev(en.get(), makedev(1, 3));
        break;
      case TarEntry::Type::kBlockDevice:
        archive_entry_set_filetype(en.get(), AE_IFBLK);
        archive_entry_set_rdev(en.get(), makedev(8, 0));
        break;
    }
    archive_entry_set_size(en.get(), size);
    if (archive_write_header(a.get(), en.get()) != ARCHIVE_OK)
      throw std::runtime_error(std::string("tar: ") + archive_error_string(a.get()));
    if (size > 0) {
      std::string data = e.content;
      data.resize(static_cast<size_t>(size), '\0');
      archive_write_data(a.get(), data.data(), data.size());
    }
  }
  archive_write_close(a.get());
  return out;
}

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string draft_tar(const std::filesystem::path& dir, bool strip_digests) {
  nlohmann::json m = nlohmann::json::parse(slurp(dir / "manifest.json"));
  if (strip_digests)
    for (auto& d : m["documents"]) {
      d.erase("sha256");
      d.erase("bytes");
    }
  std::vector<TarEntry> entries = {{"manifest.json", m.dump(2)},
                                   {"files", "", TarEntry::Type::kDirectory}};
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir / "files"))
    files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) entries.push_back({"files/" + f.filename().string(), slurp(f)});
  return make_tar(entries);
}

}  // namespace sot::test
