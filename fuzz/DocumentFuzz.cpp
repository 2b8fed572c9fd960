// Fuzz targets: file bytes → one document analyser (PDF with Poppler, JPEG with libjpeg and
// libexif, TIFF with libtiff, OOXML with libzip and pugixml), with tight limits so a run
// stays fast. Built once per analyser with SOT_FUZZ_FORMAT naming it. The facts must also
// survive the JSON round trip a worker process uses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analysis/DocumentAnalysis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sot::analysis::AnalysisLimits limits;
  limits.max_pages = 50;
  limits.max_image_pixels = 4'000'000;
  limits.max_zip_inflated_bytes = 16 << 20;
  limits.max_xml_part_bytes = 4 << 20;
  limits.max_pdf_objects = 20'000;
  limits.max_color_sample_pixels = 1'000'000;
  limits.time_budget = std::chrono::milliseconds(2000);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto facts = sot::analysis::analyze(bytes, SOT_FUZZ_FORMAT, limits);
  if (!facts.analysed) std::abort();
  const auto back = sot::analysis::facts_from_json(sot::analysis::to_json(facts));
  if (back.pages != facts.pages || back.page_facts.size() != facts.page_facts.size()) std::abort();
  return 0;
}
