// Readability: can each page be read, as a registry clerk would judge it?
//   Text pages (a PDF's text layer, an office document's body): real language — plausible
//   words of the Kazakh, Russian or Latin alphabets, common words in longer texts. Mojibake
//   (a broken ToUnicode map) or text converted to outlines: the page is read from its image.
//   Image pages (scanned PDF pages rendered with Poppler, JPEG, TIFF): ink measured first
//   (blank pages need no OCR), then Tesseract on a sample of the pages — the first ones, the
//   last, and a spread of the rest (rules [readability]) — and the words' confidences decide
//   readable / doubtful / unreadable. A page that reads badly is checked for orientation; a
//   page that reads well once turned is PAGE_ROTATED, not unreadable.
// Codes (one finding per file and code; `page` the first, detail.pages all of them):
//   UNREADABLE, READABILITY_DOUBTFUL, DOCUMENT_BLANK (no page has content), BLANK_PAGE,
//   PAGE_ROTATED, TITLE_MISMATCH (the declared title, or a synonym of it, is not on the first
//   pages), PROCESSING_FAILED (OCR over its time limit, or not available — never a rejection).
// Every page's reading goes into the report's "readability" section for the clerk.
#pragma once

#include "core/Stage.hpp"

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

// Pages of a document of `pages` to OCR: the first `first`, the last `last`, and `spread`
// more evenly between (1-based, ascending).
std::vector<int> ocr_sample(int pages, int first, int last, int spread);

}  // namespace sot::readability
