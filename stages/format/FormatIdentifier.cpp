#include "format/FormatIdentifier.hpp"

#include <gsf/gsf.h>
#include <unistd.h>
#include <zip.h>
#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "core/Gsf.hpp"
#include "core/Text.hpp"

namespace sot::format {

namespace {

bool starts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

uint32_t le32(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + at);
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool looks_html(std::string_view header) {
  size_t i = 0;
  if (starts(header, "\xEF\xBB\xBF")) i = 3;
  while (i < header.size() && std::isspace(static_cast<unsigned char>(header[i]))) ++i;
  const std::string head = lower_ascii(header.substr(i, 1024));
  if (starts(head, "<!doctype html") || starts(head, "<html")) return true;
  if (!starts(head, "<")) return false;
  return head.find("<html") != std::string::npos || head.find("<head") != std::string::npos ||
         head.find("<body") != std::string::npos || head.find("<script") != std::string::npos;
}

bool looks_text(std::string_view header) {
  if (starts(header, "\xFF\xFE") || starts(header, "\xFE\xFF")) return true;  // UTF-16 BOM
  if (header.find('\0') != std::string_view::npos) return false;
  // A multi-byte sequence cut by the end of the sample is not a reason to call it binary.
  std::string_view sample = header;
  for (int cut = 0; cut < 4 && !sample.empty(); ++cut) {
    if (text::is_valid_utf8(sample)) break;
    sample.remove_suffix(1);
  }
  if (!text::is_valid_utf8(sample) || sample.empty()) {
    // Legacy 8-bit text (CP1251, KOI8): mostly printable, a few controls at most.
    size_t controls = 0;
    for (unsigned char c : header)
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++controls;
    return controls * 100 < header.size();
  }
  size_t controls = 0;
  for (unsigned char c : sample)
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++controls;
  return controls * 100 < sample.size() + 1;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

Identification identify_zip(int fd, const IdentifyLimits& limits) {
  const int dupfd = ::dup(fd);
  if (dupfd < 0) return {"zip", "could not inspect the ZIP container", false, true};
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_fdopen(dupfd, ZIP_RDONLY, &err));
  if (!z) {
    ::close(dupfd);
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return {"zip", "the ZIP container is damaged and does not open: " + why, true, false};
  }
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  if (n < 0 || static_cast<uint64_t>(n) > limits.max_zip_entries)
    return {"zip",
            "a ZIP container of " + std::to_string(n) + " entries, over the inspection limit of " +
                std::to_string(limits.max_zip_entries),
            false, true};

  // OpenDocument: an uncompressed "mimetype" entry.
  const zip_int64_t mt = zip_name_locate(z.get(), "mimetype", 0);
  if (mt >= 0) {
    zip_stat_t st;
    if (zip_stat_index(z.get(), static_cast<zip_uint64_t>(mt), 0, &st) == 0 && st.size < 256) {
      if (zip_file_t* f = zip_fopen_index(z.get(), static_cast<zip_uint64_t>(mt), 0)) {
        char buf[256];
        const zip_int64_t got = zip_fread(f, buf, sizeof buf);
        zip_fclose(f);
        const std::string m(buf, got > 0 ? static_cast<size_t>(got) : 0);
        if (m == "application/vnd.oasis.opendocument.text") return {"odt", "OpenDocument text"};
        if (m == "application/vnd.oasis.opendocument.spreadsheet")
          return {"ods", "OpenDocument spreadsheet"};
        if (m == "application/vnd.oasis.opendocument.presentation")
          return {"odp", "OpenDocument presentation"};
      }
    }
  }

  const zip_int64_t ct = zip_name_locate(z.get(), "[Content_Types].xml", ZIP_FL_NOCASE);
  if (ct < 0) return {"zip", "ZIP archive without OOXML content types"};
  zip_stat_t st;
  if (zip_stat_index(z.get(), static_cast<zip_uint64_t>(ct), 0, &st) != 0 ||
      !(st.valid & ZIP_STAT_SIZE) || st.size > limits.max_content_types_bytes)
    return {"zip", "the OOXML content types ([Content_Types].xml) are unreadable or too large",
            true, false};
  zip_file_t* f = zip_fopen_index(z.get(), static_cast<zip_uint64_t>(ct), 0);
  if (!f)
    return {"zip", "the OOXML content types ([Content_Types].xml) are unreadable", true, false};
  std::string xml(static_cast<size_t>(st.size), '\0');
  zip_int64_t got = 0;
  while (got < static_cast<zip_int64_t>(xml.size())) {
    const zip_int64_t r = zip_fread(f, xml.data() + got, xml.size() - static_cast<size_t>(got));
    if (r <= 0) break;
    got += r;
  }
  zip_fclose(f);
  xml.resize(static_cast<size_t>(got));

  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype))
    return {"zip", "the OOXML content types ([Content_Types].xml) are not well-formed XML", true,
            false};

  static const std::array<std::pair<std::string_view, std::string_view>, 13> kMain = {{
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docx"},
      {"application/vnd.ms-word.document.macroEnabled.main+xml", "docm"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "dotx"},
      {"application/vnd.ms-word.template.macroEnabledTemplate.main+xml", "dotm"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsx"},
      {"application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xlsm"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "xltx"},
      {"application/vnd.ms-excel.template.macroEnabled.main+xml", "xltm"},
      {"application/vnd.ms-excel.sheet.binary.macroEnabled.main", "xlsb"},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
       "pptx"},
      {"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", "pptm"},
      {"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", "ppsx"},
      {"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", "ppsm"},
  }};
  for (pugi::xml_node node : doc.document_element().children()) {
    const std::string_view name = node.name();
    if (name != "Override" && name != "Default" && !name.ends_with(":Override") &&
        !name.ends_with(":Default"))
      continue;
    const std::string_view type = node.attribute("ContentType").value();
    for (const auto& [ct_name, fmt] : kMain)
      if (type == ct_name) return {std::string(fmt), "OOXML main part " + std::string(type)};
  }
  return {"zip", "ZIP with OOXML content types but no Word/Excel/PowerPoint main part"};
}

Identification identify_ole2(int fd, std::uint64_t size, const IdentifyLimits& limits) {
  if (size > limits.max_container_bytes)
    return {"ole2", "OLE2 compound file larger than the inspection limit"};
  std::string data(static_cast<size_t>(size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t r = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  data.resize(got);
  init_gsf_quietly();
  GsfInput* input =
      gsf_input_memory_new(reinterpret_cast<const guint8*>(data.data()), data.size(), FALSE);
  if (!input) return {"ole2", "OLE2 compound file could not be read"};
  GError* error = nullptr;
  GsfInfile* infile = gsf_infile_msole_new(input, &error);
  g_object_unref(input);
  if (!infile) {
    if (error) g_error_free(error);
    return {"ole2", "OLE2 signature, but the compound file structure is broken"};
  }
  auto has = [&](const char* name) {
    GsfInput* child = gsf_infile_child_by_name(infile, name);
    if (!child) return false;
    g_object_unref(child);
    return true;
  };
  Identification id{"ole2", "OLE2 compound file"};
  if (has("EncryptionInfo") && has("EncryptedPackage")) {
    id = {"ooxml_encrypted", "OLE2 container with EncryptionInfo and EncryptedPackage"};
  } else if (has("WordDocument")) {
    id = {"doc", "OLE2 compound file with a WordDocument stream"};
  } else if (has("Workbook") || has("Book")) {
    id = {"xls", "OLE2 compound file with a Workbook stream"};
  } else if (has("PowerPoint Document")) {
    id = {"ppt", "OLE2 compound file with a PowerPoint Document stream"};
  }
  g_object_unref(infile);
  return id;
}

}  // namespace

Identification identify_magic(std::string_view h, std::uint64_t size) {
  if (size == 0) return {"empty", ""};
  if (h.substr(0, 1024).find("%PDF-") != std::string_view::npos) return {"pdf", ""};
  if (starts(h, "\xFF\xD8\xFF")) return {"jpeg", ""};
  if (starts(h, "\x89PNG\r\n\x1A\n")) return {"png", ""};
  if (starts(h, std::string_view("II*\0", 4)) || starts(h, std::string_view("MM\0*", 4)) ||
      starts(h, std::string_view("II+\0", 4)) || starts(h, std::string_view("MM\0+", 4)))
    return {"tiff", ""};
  if (starts(h, "GIF87a") || starts(h, "GIF89a")) return {"gif", ""};
  if (starts(h, "BM") && h.size() >= 18) {
    const uint32_t dib = le32(h, 14);
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124)
      return {"bmp", ""};
  }
  if (starts(h, "RIFF") && h.size() >= 12 && h.substr(8, 4) == "WEBP") return {"webp", ""};
  if (h.size() >= 12 && h.substr(4, 4) == "ftyp") {
    const std::string_view brand = h.substr(8, 4);
    for (std::string_view b : {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"})
      if (brand == b) return {"heic", "ISO BMFF brand " + std::string(brand)};
    if (brand == "avif" || brand == "avis") return {"avif", ""};
    return {"isobmff", "ISO BMFF brand " + std::string(brand)};
  }
  if (starts(h, "{\\rtf")) return {"rtf", ""};
  if (starts(h, "PK\x03\x04") || starts(h, "PK\x05\x06") || starts(h, "PK\x07\x08"))
    return {"zip", ""};
  if (starts(h, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return {"ole2", ""};
  if (starts(h, "Rar!\x1A\x07")) return {"rar", ""};
  if (starts(h, "7z\xBC\xAF\x27\x1C")) return {"7z", ""};
  if (starts(h, "\x1F\x8B")) return {"gzip", ""};
  if (starts(h, "BZh")) return {"bzip2", ""};
  if (starts(h,
             "\xFD"
             "7zXZ\0"))
    return {"xz", ""};
  if (starts(h,
             "\x7F"
             "ELF"))
    return {"elf", ""};
  if (starts(h, "MZ")) {
    const uint32_t pe = le32(h, 0x3C);
    if (std::uint64_t{pe} + 4 <= h.size() && h.substr(pe, 4) == std::string_view("PE\0\0", 4))
      return {"exe", "PE executable"};
    return {"exe", "DOS executable"};
  }
  if (looks_html(h)) return {"html", ""};
  {
    size_t i = starts(h, "\xEF\xBB\xBF") ? 3 : 0;
    while (i < h.size() && std::isspace(static_cast<unsigned char>(h[i]))) ++i;
    if (starts(h.substr(i), "<?xml")) return {"xml", ""};
  }
  if (looks_text(h)) return {"text", ""};
  return {"unknown", "content not recognised"};
}

Identification identify(int fd, std::string_view header, std::uint64_t size,
                        const IdentifyLimits& limits) {
  Identification id = identify_magic(header, size);
  if (id.format == "zip" && fd >= 0) return identify_zip(fd, limits);
  if (id.format == "ole2" && fd >= 0) return identify_ole2(fd, size, limits);
  return id;
}

}  // namespace sot::format
