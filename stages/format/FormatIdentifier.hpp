// Identifies a document's format from its content, never from its name.
//
// Recognised: pdf, jpeg, docx/docm/dotx/dotm, xlsx/xlsm/xltx/xltm/xlsb, pptx/pptm (told apart
// by the OOXML [Content_Types].xml), odt/ods/odp, doc/xls/ppt (OLE2 compound files by their
// streams), ooxml_encrypted (an OLE2 EncryptionInfo + EncryptedPackage: a password-protected
// OOXML file), ole2, png, tiff, gif, bmp, webp, heic, avif, isobmff, rtf, html, xml, text,
// zip, rar, 7z, gzip, bzip2, xz, exe (PE/DOS), elf, empty, unknown.
//
// Security: reads a bounded header from the descriptor; ZIP containers are opened with
// libzip on a duplicate of the descriptor (bounded entry count, bounded [Content_Types].xml
// read); OLE2 containers are read into memory only up to `max_container_bytes` and parsed
// by libgsf. Never throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sot::format {

struct Identification {
  std::string format;  // one of the names above
  std::string note;    // how it was told (for report detail), may be empty
  // A ZIP container that could not be told apart because it is damaged (truncated, broken
  // directory, unreadable content types) or past an inspection limit: what it is meant to be
  // is then the name's to say (a damaged .docx is a corrupt Word file, not "a ZIP").
  bool damaged = false;
  bool over_limit = false;
};

struct IdentifyLimits {
  std::uint64_t max_container_bytes = 64ull << 20;  // OLE2 files read whole up to this size
  std::uint32_t max_zip_entries = 20000;
  std::uint64_t max_content_types_bytes = 1 << 20;
};

// `header` is the file's first bytes (at least 8 KiB when the file is that long); `fd` is
// the open file, used only for containers (ZIP, OLE2); `size` its length.
Identification identify(int fd, std::string_view header, std::uint64_t size,
                        const IdentifyLimits& limits = {});

// Header-only identification (no container look-inside): what `identify` starts from.
Identification identify_magic(std::string_view header, std::uint64_t size);

}  // namespace sot::format
