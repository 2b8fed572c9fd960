// Legacy Word (OLE2/CFB) analysis with libgsf: the compound file opens, the WordDocument
// stream has a sane File Information Block, the FIB's fEncrypted flag (password protection),
// VBA macro storages (Macros, _VBA_PROJECT_CUR), and the main document's text through the
// piece table (Word 97 and later).
#include <gsf/gsf.h>

#include <algorithm>
#include <memory>

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

// CP1252 bytes 0x80-0x9F (the rest of the range is Latin-1).
unsigned cp1252(unsigned char c) {
  static const unsigned short k[32] = {
      0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
  return c >= 0x80 && c < 0xA0 ? k[c - 0x80] : c;
}

// The main document text through the piece table (MS-DOC 2.4.1: FIB → Clx → PlcPcd), for
// Word 97 and later; bounded by ccpText, the streams' sizes and max_text_bytes.
void read_text(GsfInfile* ole, GsfInput* word_in, unsigned flags, unsigned nfib,
               const AnalysisLimits& limits, AnalysisFacts& f) {
  if (nfib < 0x00C1) return;  // before Word 97: no piece table here
  const std::string word = read_all(word_in, limits.max_xml_part_bytes);
  if (word.size() < 0x200) return;
  const unsigned csw = le16(word, 0x20);
  const size_t lw = 0x22 + csw * 2 + 2;  // fibRgLw
  const unsigned cslw = le16(word, lw - 2);
  const size_t fclcb = lw + cslw * 4 + 2;  // fibRgFcLcbBlob
  if (cslw < 4 || le16(word, fclcb - 2) < 34) return;
  const std::uint32_t ccp_text = le32(word, lw + 12);
  const std::uint32_t fc_clx = le32(word, fclcb + 33 * 8);
  const std::uint32_t lcb_clx = le32(word, fclcb + 33 * 8 + 4);
  std::unique_ptr<GsfInput, Unref> table(
      gsf_infile_child_by_name(ole, (flags & 0x0200) ? "1Table" : "0Table"));
  if (!table) return;
  const std::string tbl = read_all(table.get(), limits.max_xml_part_bytes);
  if (static_cast<std::uint64_t>(fc_clx) + lcb_clx > tbl.size()) {
    f.notes["text"] = "piece table outside the table stream";
    return;
  }
  size_t at = fc_clx;
  const size_t end = static_cast<size_t>(fc_clx) + lcb_clx;
  while (at < end && tbl[at] == 0x01) at += 3 + le16(tbl, at + 1);  // Prc: skip
  if (at >= end || tbl[at] != 0x02) return;
  const std::uint32_t lcb = le32(tbl, at + 1);
  const size_t plc = at + 5;
  if (plc + lcb > tbl.size() || lcb < 16) return;
  const size_t n = (lcb - 4) / 12;
  std::uint32_t done = 0;
  for (size_t i = 0; i < n && done < ccp_text && f.text.size() < limits.max_text_bytes; ++i) {
    const std::uint32_t cp0 = le32(tbl, plc + 4 * i), cp1 = le32(tbl, plc + 4 * (i + 1));
    if (cp1 <= cp0) continue;
    const std::uint32_t count = std::min(cp1 - cp0, ccp_text - done);
    const std::uint32_t fc = le32(tbl, plc + 4 * (n + 1) + 8 * i + 2);
    const bool compressed = fc & 0x40000000u;
    const size_t start = compressed ? (fc & 0x3FFFFFFFu) / 2 : fc;
    for (std::uint32_t k = 0; k < count && f.text.size() < limits.max_text_bytes; ++k) {
      unsigned u;
      if (compressed) {
        if (start + k >= word.size()) break;
        u = cp1252(static_cast<unsigned char>(word[start + k]));
      } else {
        if (start + 2 * k + 1 >= word.size()) break;
        u = le16(word, start + 2 * k);
      }
      text::append_utf8(f.text, u == '\r' ? '\n' : u);
    }
    done += count;
  }
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
  if (!f.encrypted) read_text(ole.get(), word.get(), flags, nfib, limits, f);
  for (const char* storage : {"Macros", "_VBA_PROJECT_CUR"}) {
    std::unique_ptr<GsfInput, Unref> m(gsf_infile_child_by_name(ole.get(), storage));
    if (m) f.active.push_back({"macro", storage});
  }
  f.pages = 1;
  return f;
}

}  // namespace sot::analysis
