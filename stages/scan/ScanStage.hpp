// Scan: the scanned pages and images against the document requirements (thresholds in the
// rules' [scan] table). One finding per file and code, on its first page, with every page
// that has it in detail.pages.
//   SCAN_RESOLUTION_LOW   effective resolution under scan.min_dpi (200)
//   SCAN_RESOLUTION_HIGH  over scan.max_dpi (300), info
//   SCAN_COLOR            a colour scan with no colour in it, info
//   SCAN_SCALE            not, within scan.scale_tolerance, a standard sheet (A3, A4, A5,
//                         Letter, Legal, either orientation) at 1:1
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
