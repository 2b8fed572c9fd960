// Legacy Word (OLE2/CFB) analysis with libgsf: the compound file opens, the WordDocument
// stream has a sane File Information Block, the FIB's fEncrypted flag (password protection),
// and VBA macro storages (Macros, _VBA_PROJECT_CUR). Text is not extracted from the piece
// table here.
#include <gsf/gsf.h>

#include "analysis/DocumentAnalysis.hpp"
#include "core/Gsf.hpp"

namespace sot::analysis {

namespace {

struct Unref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};

}  // namespace

AnalysisFacts analyze_doc(std::string_view data, const AnalysisLimits&) {
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
  for (const char* storage : {"Macros", "_VBA_PROJECT_CUR"}) {
    std::unique_ptr<GsfInput, Unref> m(gsf_infile_child_by_name(ole.get(), storage));
    if (m) f.active.push_back({"macro", storage});
  }
  f.pages = 1;
  return f;
}

}  // namespace sot::analysis
