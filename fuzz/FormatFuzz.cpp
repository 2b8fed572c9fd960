// Fuzz target: file bytes → format identification (magic numbers, and the ZIP/OOXML and
// OLE2 container look-inside through libzip, pugixml and libgsf) from a memory file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/UniqueFd.hpp"
#include "format/FormatIdentifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sot::UniqueFd fd(::memfd_create("fuzz", MFD_CLOEXEC));
  if (!fd) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd.get(), data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sot::format::IdentifyLimits limits;
  limits.max_container_bytes = 4 << 20;
  const auto id = sot::format::identify(fd.get(), bytes.substr(0, 65536), size, limits);
  if (id.format.empty()) std::abort();
  return 0;
}
