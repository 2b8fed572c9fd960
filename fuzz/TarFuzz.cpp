// Fuzz target: the pre-flight tar intake (spec §6) — libarchive's reading of the body and our
// validation of every entry, then extraction into a private directory and the completion of
// the manifest's digests. Nothing may crash, hang, or write outside the directory.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "preflight/DraftArchive.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string t = (fs::temp_directory_path() / "sot-fuzz-tar-XXXXXX").string();
    if (!::mkdtemp(t.data())) std::abort();
    return fs::path(t);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view tar(reinterpret_cast<const char*>(data), size);
  sot::preflight::DraftLimits limits;
  limits.max_entries = 64;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  limits.manifest_max_bytes = 64 << 10;
  (void)sot::preflight::inspect_draft(tar, limits);
  const fs::path dir = scratch() / "draft";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directory(dir, ec);
  if (!sot::preflight::extract_draft(tar, limits, dir))
    sot::preflight::complete_manifest(dir, limits.manifest_max_bytes);
  // Whatever the input, only the draft directory was written.
  for (const auto& e : fs::directory_iterator(scratch(), ec))
    if (e.path() != dir) std::abort();
  return 0;
}
