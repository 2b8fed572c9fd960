#include "core/FileName.hpp"

#include <unicode/utf8.h>

#include <cstdio>

#include "core/Text.hpp"

namespace sot {

namespace {
bool is_control(UChar32 c) {
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

void append_hex(std::string& out, unsigned char b) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02X", b);
  out += buf;
}
}  // namespace

std::optional<std::string> unsafe_file_name_reason(std::string_view name) {
  if (name.empty()) return "empty file name";
  if (name.size() > 255) return "file name longer than 255 bytes";
  if (name == "." || name == "..") return "file name is a '.' or '..' path component";
  if (name.find('\0') != std::string_view::npos) return "file name contains NUL";
  if (name.find('/') != std::string_view::npos) return "file name contains '/'";
  if (name.find('\\') != std::string_view::npos) return "file name contains '\\'";
  if (!text::is_valid_utf8(name)) return "file name is not valid UTF-8";
  const auto* p = reinterpret_cast<const uint8_t*>(name.data());
  const auto len = static_cast<int32_t>(name.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (is_control(c)) return "file name contains a control character";
  }
  return std::nullopt;
}

std::string printable_name(std::string_view name) {
  std::string out;
  const auto* p = reinterpret_cast<const uint8_t*>(name.data());
  const auto len = static_cast<int32_t>(std::min<size_t>(name.size(), 4096));
  for (int32_t i = 0; i < len;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (c < 0) {
      for (int32_t j = start; j < i; ++j) append_hex(out, p[j]);
    } else if (is_control(c)) {
      if (c < 0x80) {
        append_hex(out, static_cast<unsigned char>(c));
      } else {
        for (int32_t j = start; j < i; ++j) append_hex(out, p[j]);
      }
    } else {
      out.append(name.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    }
  }
  if (name.size() > 4096) out += "…";
  return out;
}

}  // namespace sot
