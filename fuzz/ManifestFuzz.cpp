// Fuzz target: manifest.json bytes → parse_manifest. Must never crash, leak or take
// unbounded time; a parsed manifest must satisfy the invariants the stages rely on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/FileName.hpp"
#include "core/Manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sot::ManifestParseResult r = sot::parse_manifest(bytes);
  if (r.manifest.has_value() == !r.violations.empty()) std::abort();
  if (r.manifest) {
    int mains = 0;
    for (const auto& d : r.manifest->documents) {
      if (sot::unsafe_file_name_reason(d.file)) std::abort();  // never a path to follow
      if (d.sha256.size() != 64) std::abort();
      if (d.role == "main") ++mains;
    }
    if (mains != 1 || !sot::is_known_kind(r.manifest->kind)) std::abort();
  }
  return 0;
}
