#include "scan/ScanStage.hpp"

#include <cmath>

#include "rules/RuleSet.hpp"

namespace sot::scan {

namespace {

// Whether a page reads clearly: its own verdict, or — for a page outside the OCR sample — the
// document's sample, all of which read.
bool reads_clearly(const BundleContext& ctx, const std::string& file, std::uint32_t page) {
  const auto f = ctx.page_verdicts.find(file);
  if (f == ctx.page_verdicts.end()) return false;
  if (const auto p = f->second.find(page); p != f->second.end() && p->second != "not_sampled")
    return p->second == "readable";
  bool any = false;
  for (const auto& [n, v] : f->second) {
    if (v == "not_sampled" || v == "blank") continue;
    if (v != "readable") return false;
    any = true;
  }
  return any;
}

}  // namespace

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
    // SCAN_RESOLUTION_LOW, one finding for the file: its severity is that of its worst page —
    // known and not reading clearly (the rules' severity), known and reading clearly
    // (scan.low_resolution_readable), only estimated (info: readability decides).
    struct Low {
      nlohmann::json detail;
      std::uint32_t page = 0;
      std::optional<Severity> at_most;
      int rank = -1;  // 2 known unread, 1 known read, 0 estimated
    } low;
    nlohmann::json low_pages = nlohmann::json::array(), estimated = nlohmann::json::array(),
                   readable = nlohmann::json::array();
    for (const auto& p : a->page_facts) {
      if (!p.is_scan || !p.dpi) continue;
      const long dpi = std::lround(*p.dpi);
      const bool known = p.resolution_source.empty() || p.resolution_source == "declared";
      nlohmann::json base = {{"dpi", dpi}, {"color_mode", p.color_mode}};
      if (!p.density_source.empty()) base["density_source"] = p.density_source;
      if (!p.resolution_source.empty()) base["resolution_source"] = p.resolution_source;
      if (!p.assumed_sheet.empty()) base["assumed_sheet"] = p.assumed_sheet;
      if (p.photo) base["photo"] = true;
      const auto page = static_cast<std::uint32_t>(p.number);
      if (dpi < r.min_dpi) {
        auto d = base;
        d["min_dpi"] = r.min_dpi;
        int rank = 0;
        std::optional<Severity> at_most = Severity::kInfo;
        if (!known) {
          d["estimate"] = true;
          estimated.push_back(page);
        } else if (reads_clearly(ctx, f.name, page)) {
          d["reads_clearly"] = true;
          rank = 1;
          at_most = r.low_resolution_readable;
          readable.push_back(page);
        } else {
          rank = 2;
          at_most.reset();
        }
        low_pages.push_back(page);
        if (rank > low.rank) low = {std::move(d), page, at_most, rank};
      } else if (dpi > r.max_dpi && known) {
        auto d = base;
        d["max_dpi"] = r.max_dpi;
        note("SCAN_RESOLUTION_HIGH", p, std::move(d));
      }
      if (p.color_mode == "color" && p.color_content && !*p.color_content)
        note("SCAN_COLOR", p, base);
      // The scale is only meaningful where the resolution is known, and never for a photo.
      const auto [sheet, err] = analysis::nearest_sheet(p.width_mm, p.height_mm);
      if (known && !p.photo && sheet && err > r.scale_tolerance) {
        auto d = base;
        d["width_mm"] = std::lround(p.width_mm);
        d["height_mm"] = std::lround(p.height_mm);
        d["nearest_sheet"] = sheet->name;
        note("SCAN_SCALE", p, std::move(d));
      }
    }
    found.emit(out, f.name);
    if (low.rank >= 0) {
      low.detail["pages"] = low_pages;
      if (!estimated.empty()) low.detail["estimated_pages"] = estimated;
      if (!readable.empty()) low.detail["readable_pages"] = readable;
      Finding& fd = out.add_for_file("SCAN_RESOLUTION_LOW", f.name, std::move(low.detail));
      fd.page = low.page;
      fd.at_most = low.at_most;
    }
  }
}

}  // namespace sot::scan
