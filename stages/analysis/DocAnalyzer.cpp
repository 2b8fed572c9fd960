// Legacy Word (OLE2/CFB) analysis with libgsf: the compound file opens, the WordDocument
// stream has a sane File Information Block, the FIB's fEncrypted flag (password protection),
// VBA macro storages (Macros, _VBA_PROJECT_CUR), and the main document's text through the
// piece table (Word 97 and later) or from the text range / piece table of Word 6 and 95,
// decoded from the code page of the document's language with ICU.
#include <gsf/gsf.h>
#include <unicode/ucnv.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "analysis/DocumentAnalysis.hpp"
#include "core/Gsf.hpp"
#include "core/Text.hpp"

namespace sot::analysis {

namespace {

struct Unref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};

std::uint32_t le32(const std::string& b, size_t at) {
  if (at + 4 > b.size()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
unsigned le16(const std::string& b, size_t at) {
  if (at + 2 > b.size()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  return p[0] | p[1] << 8;
}

std::string read_all(GsfInput* in, std::uint64_t cap) {
  const gsf_off_t size = gsf_input_size(in);
  if (size <= 0 || static_cast<std::uint64_t>(size) > cap) return {};
  std::string out(static_cast<size_t>(size), '\0');
  gsf_input_seek(in, 0, G_SEEK_SET);
  if (!gsf_input_read(in, out.size(), reinterpret_cast<guint8*>(out.data()))) return {};
  return out;
}

// The Windows code page of a Word 6/95 document's 8-bit text, from its language id (the
// primary language in the low 10 bits); Word 97 and later store such text as CP1252.
const char* ansi_codepage(unsigned lid) {
  switch (lid) {
    case 0x0C1A:  // Serbian (Cyrillic)
    case 0x082C:  // Azerbaijani (Cyrillic)
    case 0x0843:  // Uzbek (Cyrillic)
      return "windows-1251";
    default:
      break;
  }
  switch (lid & 0x3FF) {
    case 0x02:  // Bulgarian
    case 0x19:  // Russian
    case 0x22:  // Ukrainian
    case 0x23:  // Belarusian
    case 0x2F:  // Macedonian
    case 0x3F:  // Kazakh
    case 0x40:  // Kyrgyz
    case 0x44:  // Tatar
    case 0x50:  // Mongolian
      return "windows-1251";
    case 0x05:  // Czech
    case 0x0E:  // Hungarian
    case 0x15:  // Polish
    case 0x18:  // Romanian
    case 0x1A:  // Croatian, Serbian (Latin)
    case 0x1B:  // Slovak
    case 0x1C:  // Albanian
    case 0x24:  // Slovenian
      return "windows-1250";
    case 0x08:
      return "windows-1253";
    case 0x1F:
      return "windows-1254";
    case 0x0D:
      return "windows-1255";
    case 0x01:
      return "windows-1256";
    case 0x25:  // Estonian
    case 0x26:  // Latvian
    case 0x27:  // Lithuanian
      return "windows-1257";
    default:
      return "windows-1252";
  }
}

// 8-bit text in one code page, through ICU's converters.
class AnsiDecoder {
 public:
  explicit AnsiDecoder(const char* codepage) {
    UErrorCode status = U_ZERO_ERROR;
    conv_ = ucnv_open(codepage, &status);
    if (U_FAILURE(status)) conv_ = nullptr;
  }
  ~AnsiDecoder() {
    if (conv_) ucnv_close(conv_);
  }
  AnsiDecoder(const AnsiDecoder&) = delete;
  AnsiDecoder& operator=(const AnsiDecoder&) = delete;

  // Appends `bytes` as UTF-8 (paragraph marks as line breaks) while `out` is under `cap`.
  void append(std::string_view bytes, std::string& out, size_t cap) {
    if (!conv_ || out.size() >= cap) return;
    bytes = bytes.substr(0, cap - out.size());  // one byte is one character, at least one byte
    if (bytes.empty()) return;
    std::vector<UChar> u(bytes.size() * 2 + 2);
    UErrorCode status = U_ZERO_ERROR;
    const int32_t n = ucnv_toUChars(conv_, u.data(), static_cast<int32_t>(u.size()), bytes.data(),
                                    static_cast<int32_t>(bytes.size()), &status);
    if (U_FAILURE(status)) return;
    for (int32_t i = 0; i < n && out.size() < cap; ++i)
      text::append_utf8(out, u[static_cast<size_t>(i)] == '\r' ? '\n' : u[static_cast<size_t>(i)]);
  }

 private:
  UConverter* conv_ = nullptr;
};

struct Piece {
  std::uint32_t cp0, cp1, fc;
};

// Hands each piece and its character count to `emit`, in character order, up to the main
// document's ccpText characters and while the text is under its limit.
template <typename Emit>
void walk_pieces(const std::vector<Piece>& pieces, std::uint32_t ccp_text,
                 const AnalysisLimits& limits, const std::string& text, Emit emit) {
  std::uint32_t done = 0;
  for (const Piece& p : pieces) {
    if (done >= ccp_text || text.size() >= limits.max_text_bytes) break;
    const std::uint32_t count = std::min(p.cp1 - p.cp0, ccp_text - done);
    emit(p, count);
    done += count;
  }
}

void text_unread(AnalysisFacts& f, const char* why) {
  f.notes["text_unread"] = why;
}

// The piece table (Clx: Prc entries skipped, then the Pcdt's PlcPcd) at [at, at + lcb) of
// `holder`; empty when it does not fit.
std::vector<Piece> read_pieces(const std::string& holder, std::uint32_t fc_clx,
                               std::uint32_t lcb_clx) {
  std::vector<Piece> out;
  if (static_cast<std::uint64_t>(fc_clx) + lcb_clx > holder.size()) return out;
  size_t at = fc_clx;
  const size_t end = static_cast<size_t>(fc_clx) + lcb_clx;
  while (at < end && holder[at] == 0x01) at += 3 + le16(holder, at + 1);  // Prc
  if (at >= end || holder[at] != 0x02) return out;
  const std::uint32_t lcb = le32(holder, at + 1);
  const size_t plc = at + 5;
  if (plc + lcb > holder.size() || lcb < 16) return out;
  const size_t n = (lcb - 4) / 12;
  for (size_t i = 0; i < n; ++i) {
    const std::uint32_t cp0 = le32(holder, plc + 4 * i), cp1 = le32(holder, plc + 4 * (i + 1));
    if (cp1 > cp0) out.push_back({cp0, cp1, le32(holder, plc + 4 * (n + 1) + 8 * i + 2)});
  }
  return out;
}

// The main document text through the piece table (MS-DOC 2.4.1: FIB → Clx → PlcPcd) for
// Word 97 and later: 16-bit pieces, or 8-bit CP1252 ("compressed") ones.
void read_text_word97(GsfInfile* ole, const std::string& word, unsigned flags,
                      const AnalysisLimits& limits, AnalysisFacts& f) {
  if (word.size() < 0x200) return text_unread(f, "the File Information Block is cut short");
  const unsigned csw = le16(word, 0x20);
  const size_t lw = 0x22 + csw * 2 + 2;  // fibRgLw
  const unsigned cslw = le16(word, lw - 2);
  const size_t fclcb = lw + cslw * 4 + 2;  // fibRgFcLcbBlob
  if (cslw < 4 || le16(word, fclcb - 2) < 34)
    return text_unread(f, "the File Information Block has no piece table entry");
  const std::uint32_t ccp_text = le32(word, lw + 12);
  std::unique_ptr<GsfInput, Unref> table(
      gsf_infile_child_by_name(ole, (flags & 0x0200) ? "1Table" : "0Table"));
  if (!table) return text_unread(f, "no table stream");
  const std::string tbl = read_all(table.get(), limits.max_xml_part_bytes);
  const auto pieces = read_pieces(tbl, le32(word, fclcb + 33 * 8), le32(word, fclcb + 33 * 8 + 4));
  if (pieces.empty()) return text_unread(f, "no usable piece table");
  AnsiDecoder cp1252("windows-1252");
  walk_pieces(pieces, ccp_text, limits, f.text, [&](const Piece& p, std::uint32_t count) {
    if (p.fc & 0x40000000u) {  // "compressed": 8-bit CP1252 at fc / 2
      const size_t start = (p.fc & 0x3FFFFFFFu) / 2;
      if (start < word.size())
        cp1252.append(std::string_view(word).substr(start, count), f.text, limits.max_text_bytes);
      return;
    }
    for (std::uint32_t k = 0; k < count && f.text.size() < limits.max_text_bytes; ++k) {
      if (static_cast<size_t>(p.fc) + 2 * k + 1 >= word.size()) break;
      const unsigned u = le16(word, p.fc + 2 * k);
      text::append_utf8(f.text, u == '\r' ? '\n' : u);
    }
  });
}

// Word 6 and Word 95 (nFib 101-105): 8-bit text in the code page of the document's language,
// from fcMin on (ccpText characters), or — after a fast save (fComplex) — through a piece
// table kept in the WordDocument stream itself (fcClx at 0x160).
void read_text_word6(const std::string& word, unsigned flags, unsigned lid,
                     const AnalysisLimits& limits, AnalysisFacts& f) {
  if (word.size() < 0x168) return text_unread(f, "the File Information Block is cut short");
  const std::uint32_t fc_min = le32(word, 0x18), fc_mac = le32(word, 0x1C);
  const std::uint32_t ccp_text = le32(word, 0x34);
  const char* codepage = ansi_codepage(lid);
  f.notes["codepage"] = codepage;
  AnsiDecoder decoder(codepage);
  const std::string_view all(word);
  if (!(flags & 0x0004)) {
    if (fc_min >= word.size() || fc_mac < fc_min)
      return text_unread(f, "text range outside the WordDocument stream");
    decoder.append(all.substr(fc_min, std::min(ccp_text, fc_mac - fc_min)), f.text,
                   limits.max_text_bytes);
    return;
  }
  const auto pieces = read_pieces(word, le32(word, 0x160), le32(word, 0x164));
  if (pieces.empty()) return text_unread(f, "no usable piece table");
  walk_pieces(pieces, ccp_text, limits, f.text, [&](const Piece& p, std::uint32_t count) {
    if (p.fc < word.size()) decoder.append(all.substr(p.fc, count), f.text, limits.max_text_bytes);
  });
}

}  // namespace

AnalysisFacts analyze_doc(std::string_view data, const AnalysisLimits& limits) {
  init_gsf_quietly();
  AnalysisFacts f;
  f.format = "doc";
  f.analysed = true;
  std::unique_ptr<GsfInput, Unref> input(
      gsf_input_memory_new(reinterpret_cast<const guint8*>(data.data()), data.size(), FALSE));
  GError* error = nullptr;
  std::unique_ptr<GsfInfile, Unref> ole(input ? gsf_infile_msole_new(input.get(), &error)
                                              : nullptr);
  if (!ole) {
    f.corrupt = "the OLE2 compound file is damaged";
    if (error) g_error_free(error);
    return f;
  }
  std::unique_ptr<GsfInput, Unref> word(gsf_infile_child_by_name(ole.get(), "WordDocument"));
  if (!word) {
    f.corrupt = "no WordDocument stream";
    return f;
  }
  guint8 fib[32];
  if (gsf_input_size(word.get()) < 32 || !gsf_input_read(word.get(), sizeof fib, fib)) {
    f.corrupt = "the WordDocument stream is shorter than its header";
    return f;
  }
  const unsigned ident = fib[0] | (fib[1] << 8);
  const unsigned nfib = fib[2] | (fib[3] << 8);
  const unsigned flags = fib[10] | (fib[11] << 8);
  f.notes["nFib"] = nfib;
  if (ident != 0xA5EC) {
    f.corrupt = "the Word header has a wrong signature";
    return f;
  }
  if (flags & 0x0100) {  // fEncrypted
    f.encrypted = true;
    f.notes["encryption"] = (flags & 0x8000) ? "XOR obfuscation" : "password protected";
  }
  if (!f.encrypted) {
    const std::string stream = read_all(word.get(), limits.max_xml_part_bytes);
    if (nfib >= 0x00C1) {
      read_text_word97(ole.get(), stream, flags, limits, f);
    } else if (nfib >= 101 && nfib <= 105) {
      read_text_word6(stream, flags, fib[6] | (fib[7] << 8), limits, f);
    } else {
      // Word 2 and older: the document opens, its text is not read here.
      f.notes["text_unread"] = "Word version (nFib " + std::to_string(nfib) + ") not read";
    }
  }
  for (const char* storage : {"Macros", "_VBA_PROJECT_CUR"}) {
    std::unique_ptr<GsfInput, Unref> m(gsf_infile_child_by_name(ole.get(), storage));
    if (m) f.active.push_back({"macro", storage});
  }
  f.pages = 1;
  return f;
}

}  // namespace sot::analysis
