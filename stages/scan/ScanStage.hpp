// Scan: the scanned pages and images against the document requirements (thresholds in the
// rules' [scan] table). One finding per file and code, on its first page, with every page
// that has it in detail.pages.
//   SCAN_RESOLUTION_LOW   effective resolution under scan.min_dpi (200). Its severity
//                         follows how the resolution is known (page facts'
//                         resolution_source): declared and not reading clearly — the rules'
//                         (reject); declared and reading clearly — scan.low_resolution_readable
//                         (review); a 72/96 default or inferred estimate — info at most.
//   SCAN_RESOLUTION_HIGH  over scan.max_dpi (300), info; declared resolutions only
//   SCAN_COLOR            a colour scan with no colour in it, info
//   SCAN_SCALE            not, within scan.scale_tolerance, a standard sheet (A3, A4, A5,
//                         Letter, Legal, either orientation) at 1:1 — declared resolutions
//                         only, never a camera photo
// Runs after the readability stage (BundleContext::page_verdicts).
#pragma once

#include "core/Stage.hpp"

namespace sot::scan {

class ScanStage final : public Stage {
 public:
  std::string_view name() const override { return "scan"; }
  std::vector<std::string_view> codes() const override {
    return {"SCAN_RESOLUTION_LOW", "SCAN_RESOLUTION_HIGH", "SCAN_COLOR", "SCAN_SCALE"};
  }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::scan
