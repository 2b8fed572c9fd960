// Readability: can each page be read, as a registry clerk would judge it?
//   Text pages (a PDF's text layer, an office document's body): real language — plausible
//   words of the Kazakh, Russian or Latin alphabets, common words in longer texts. Mojibake
//   (a broken ToUnicode map) or text converted to outlines: the page is read from its image.
//   Image pages (scanned PDF pages rendered with Poppler, JPEG, TIFF): ink measured first
//   (blank pages need no OCR), then Tesseract on a sample of the pages — the first ones, the
//   last, and a spread of the rest (rules [readability]) — and the words' confidences decide
//   readable / doubtful / unreadable. A page that reads badly is checked for orientation; a
//   page that reads well once turned is PAGE_ROTATED, not unreadable.
//   OCR reads only as much as the verdict needs (rules band_lines, band_title_lines,
//   probe_lines): a page whose ink shows no damage is readable when the first lines of its
//   top band read with high confidence (on the title pages a few more lines, and the whole
//   band before a title is called wrong); a page whose ink looks blurred is unreadable when its
//   first lines already read as garbage. Anything else is read whole, as before.
// Codes (one finding per file and code; `page` the first, detail.pages all of them):
//   UNREADABLE, READABILITY_DOUBTFUL, DOCUMENT_BLANK (no page has content), BLANK_PAGE,
//   PAGE_ROTATED, TITLE_MISMATCH (the declared title, or a synonym of it, is not on the first
//   pages), PROCESSING_FAILED (OCR over its time limit, or not available — never a rejection).
// Every page's reading goes into the report's "readability" section for the clerk.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/Stage.hpp"
#include "readability/Ink.hpp"
#include "readability/Ocr.hpp"

namespace sot::rules {
struct ReadabilityRules;
}

namespace sot::readability {

class ReadabilityStage final : public Stage {
 public:
  std::string_view name() const override { return "readability"; }
  std::vector<std::string_view> codes() const override {
    return {"UNREADABLE",   "READABILITY_DOUBTFUL", "DOCUMENT_BLANK",   "BLANK_PAGE",
            "PAGE_ROTATED", "TITLE_MISMATCH",       "PROCESSING_FAILED"};
  }
  void run(BundleContext& ctx, Findings& out) const override;
};

enum class Verdict { kReadable, kDoubtful, kUnreadable, kBlank, kSparse, kNotSampled, kFailed };
// readable, doubtful, unreadable, blank, sparse (a stamp, a signature, a drawing: nothing to
// read), not_sampled (ink only), failed (rendering or OCR failed: see the failure text)
const char* to_string(Verdict v);

struct PageReading {
  int number = 0;      // 1-based; office documents are read as one page
  std::string method;  // text, ocr, ink
  Verdict verdict = Verdict::kNotSampled;
  std::optional<Ink> ink;
  std::optional<OcrResult> ocr;
  int rotated = 0;          // degrees the page was turned to be read
  bool inverted = false;    // light on dark: read as its negative
  bool ocr_failed = false;  // OCR could not read the (undamaged) ink: its text means nothing
  bool band = false;        // the verdict came from the top band of the page alone
  bool probe = false;       // … from the first lines of a damaged page (unreadable already)
  std::string text;         // what was read (text layer or OCR), for the title check
  std::string note;         // why, in a few words
  nlohmann::json to_json() const;
};

// Reads every page of an analysed document (`a` from analysis::analyze over `data`). A page
// whose rendering or OCR failed has verdict kFailed and `failure` says why. The title pages'
// bands are read to rules' band_title_lines, or whole with `whole_title_band`.
std::vector<PageReading> read_document(std::string_view data, const analysis::AnalysisFacts& a,
                                       const rules::ReadabilityRules& rr, std::string* failure,
                                       bool whole_title_band = false);

// Pages of a document of `pages` to OCR: the first `first`, the last `last`, and `spread`
// more evenly between (1-based, ascending).
std::vector<int> ocr_sample(int pages, int first, int last, int spread);

}  // namespace sot::readability
