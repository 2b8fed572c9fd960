// Document analysis: every document opened once with the library made for it — Poppler for
// PDF, libjpeg(-turbo) and libexif for JPEG, libtiff for TIFF, libzip + pugixml for OOXML,
// libgsf for legacy Word — into one serialisable facts record (AnalysisFacts) that the
// document, scan, readability and text-format stages share.
//
// Inputs: the file's bytes (already size-checked by the caller), its content format (from
// format identification) and limits. Output: facts only; findings are the stages' business.
// The record round-trips through JSON so the analysis can run in a separate worker process
// (isolation of the parsers from the daemon).
//
// Security: the input is hostile. Every analyser bounds what it does (pages, pixels, time,
// zip entries and inflated bytes, XML size, object counts); a limit reached is reported as
// `limit` (→ PROCESSING_FAILED, never the filer's rejection), a structure that cannot be
// parsed as `corrupt` (→ FILE_CORRUPT). Nothing here throws for bad input.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sot::analysis {

struct AnalysisLimits {
  std::uint32_t max_pages = 2000;                   // PDF / TIFF pages analysed
  std::uint64_t max_image_pixels = 300'000'000ull;  // one raster's width × height
  std::uint32_t max_jpeg_scans = 100;               // progressive JPEG scans
  std::uint32_t max_zip_entries = 10000;
  std::uint64_t max_zip_inflated_bytes = 512ull << 20;  // all OOXML parts together
  std::uint32_t max_zip_ratio = 200;                    // inflated / compressed, per part
  std::uint64_t max_xml_part_bytes = 64ull << 20;
  std::uint64_t max_pdf_objects = 500'000;
  std::uint32_t max_pdf_fonts = 10'000;                   // font dictionaries in the whole document
  std::uint32_t max_page_fonts = 500;                     // fonts one page's resources name
  std::uint32_t max_filter_chain = 4;                     // filters applied to one stream
  std::uint64_t max_stream_bytes = 256ull << 20;          // one stream, decoded
  std::uint32_t max_stream_ratio = 1000;                  // decoded / encoded past 16 MiB: a bomb
  std::chrono::milliseconds time_budget{20'000};          // whole document
  std::uint32_t max_text_bytes = 256 * 1024;              // text kept per page / document
  std::uint64_t max_color_sample_pixels = 40'000'000ull;  // decoded to decide gray vs colour
};

// An image drawn on a page (PDF) or the image itself (JPEG/TIFF page).
struct ImageFacts {
  int width_px = 0;
  int height_px = 0;
  double placed_width_mm = 0;  // on the page (PDF: from the CTM); JPEG: from its density
  double placed_height_mm = 0;
  double dpi_x = 0;
  double dpi_y = 0;
  std::string color;  // "bilevel", "gray" or "color"
  int bits_per_component = 0;
  double coverage = 0;  // share of the page area it covers (0..1)
};

struct PageFacts {
  int number = 0;  // 1-based
  double width_mm = 0;
  double height_mm = 0;
  int rotation = 0;
  int text_chars = 0;          // characters in the text layer
  int visible_text_chars = 0;  // … of them drawn visibly (OCR layers are invisible)
  std::string text;            // the text layer (capped)
  std::vector<ImageFacts> images;
  bool is_scan = false;       // one image covers most of the page and there is little visible text
  std::optional<double> dpi;  // effective resolution of the page's scan image
  std::string color_mode;     // of the scan image: bilevel / gray / color ("" if none)
  std::optional<bool> color_content;  // for a colour scan: is there colour in it at all?
  std::string density_source;         // JPEG/TIFF: jfif, exif, tiff, inferred; PDF: placement
  std::string assumed_sheet;          // when the density was inferred from a standard sheet
  // How the resolution is known: "declared" (a scanner's density in JFIF/EXIF/TIFF, or an
  // image placed on a standard sheet in a PDF), "default" (a 72/96 dpi software default, or a
  // PDF page sized by a 72/96 ppi image), "inferred" (no density: the nearest sheet by
  // aspect). Only a declared resolution can be held against the filer.
  std::string resolution_source;
  bool photo = false;   // a camera photo (EXIF make/model), not a scan: no sheet, no scale
  int orientation = 1;  // EXIF orientation (1 upright; 3, 6, 8 turned; 2, 4, 5, 7 mirrored)
};

struct ActiveContent {
  std::string kind;   // javascript, launch, embedded_file, rich_media, macro, activex, ole_object,
                      // external_link
  std::string where;  // e.g. "OpenAction", "page 2 annotation", "word/vbaProject.bin"
};

struct FontUse {
  std::string font;
  double size_pt = 0;
  std::uint64_t chars = 0;
};

struct AnalysisFacts {
  std::string format;
  bool analysed = false;               // an analyser ran (false: format has none)
  std::optional<std::string> corrupt;  // cannot be parsed / truncated: what broke
  std::optional<std::string> limit;    // a limit stopped the analysis: which
  bool encrypted = false;              // a password is needed to open it
  bool restricted = false;             // opens, but an owner password restricts it
  std::vector<ActiveContent> active;
  int pages = 0;
  std::vector<PageFacts> page_facts;  // for PDF/TIFF every page; JPEG one
  std::string text;                   // OOXML/DOC body text (capped)
  std::vector<FontUse> fonts;  // DOCX body text / PDF visible text: font and size by characters
  nlohmann::json notes = nlohmann::json::object();  // format-specific evidence
};

// Analyses `data` as `format` ("pdf", "jpeg", "tiff", "docx", "xlsx", "docm", "xlsm", "doc").
// Other formats return a record with analysed = false.
AnalysisFacts analyze(std::string_view data, std::string_view format,
                      const AnalysisLimits& limits = {});

nlohmann::json to_json(const AnalysisFacts& f);
AnalysisFacts facts_from_json(const nlohmann::json& j);

// Per-format analysers (used by analyze; exposed for tests and fuzz targets).
AnalysisFacts analyze_pdf(std::string_view data, const AnalysisLimits& limits);
AnalysisFacts analyze_jpeg(std::string_view data, const AnalysisLimits& limits);
AnalysisFacts analyze_tiff(std::string_view data, const AnalysisLimits& limits);
AnalysisFacts analyze_ooxml(std::string_view data, std::string_view format,
                            const AnalysisLimits& limits);
AnalysisFacts analyze_doc(std::string_view data, const AnalysisLimits& limits);

// Poppler's global state, set up once per process (also used by page rendering).
void init_poppler();

// Shared by the raster analysers: physical size from pixels and density, and the standard
// sheet a page or image is closest to.
struct Sheet {
  const char* name;
  double width_mm;
  double height_mm;
};
const std::vector<Sheet>& standard_sheets();
// The sheet (either orientation) nearest in size to w × h mm, and the relative error.
std::pair<const Sheet*, double> nearest_sheet(double width_mm, double height_mm);
// The sheet whose aspect ratio is nearest to w:h (for images without a density).
const Sheet* sheet_by_aspect(int width_px, int height_px, bool* landscape);
// For a raster without a usable density: the density it has if it is the nearest standard
// sheet at 1:1; records density_source "inferred" and the sheet in `page`.
void infer_density(int width_px, int height_px, PageFacts& page, double* dpi_x, double* dpi_y);

}  // namespace sot::analysis
