#include "scan/ScanStage.hpp"

#include <cmath>

#include "rules/RuleSet.hpp"

namespace sot::scan {

void ScanStage::run(BundleContext& ctx, Findings& out) const {
  const rules::ScanRules& r = ctx.rules.scan;
  for (const auto& f : ctx.bundle.files()) {
    if (f.size > ctx.rules.max_file_bytes) continue;
    const analysis::AnalysisFacts* a = ctx.facts.analysis(f);
    if (!a || a->corrupt || a->encrypted || a->limit) continue;
    PageFindings found;
    auto note = [&](const char* code, const analysis::PageFacts& p, nlohmann::json d) {
      found.note(code, static_cast<std::uint32_t>(p.number), std::move(d));
    };
    for (const auto& p : a->page_facts) {
      if (!p.is_scan || !p.dpi) continue;
      const long dpi = std::lround(*p.dpi);
      nlohmann::json base = {{"dpi", dpi}, {"color_mode", p.color_mode}};
      if (!p.density_source.empty()) base["density_source"] = p.density_source;
      if (!p.assumed_sheet.empty()) base["assumed_sheet"] = p.assumed_sheet;
      if (dpi < r.min_dpi) {
        auto d = base;
        d["min_dpi"] = r.min_dpi;
        note("SCAN_RESOLUTION_LOW", p, std::move(d));
      } else if (dpi > r.max_dpi) {
        auto d = base;
        d["max_dpi"] = r.max_dpi;
        note("SCAN_RESOLUTION_HIGH", p, std::move(d));
      }
      if (p.color_mode == "color" && p.color_content && !*p.color_content)
        note("SCAN_COLOR", p, base);
      const auto [sheet, err] = analysis::nearest_sheet(p.width_mm, p.height_mm);
      if (sheet && err > r.scale_tolerance) {
        auto d = base;
        d["width_mm"] = std::lround(p.width_mm);
        d["height_mm"] = std::lround(p.height_mm);
        d["nearest_sheet"] = sheet->name;
        note("SCAN_SCALE", p, std::move(d));
      }
    }
    found.emit(out, f.name);
  }
}

}  // namespace sot::scan
