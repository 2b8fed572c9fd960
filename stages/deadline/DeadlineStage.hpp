// Deadlines: DEADLINE_PASSED when a filing kind with a statutory limit (rules [[deadlines]])
// is filed after it: e.g. new_circumstances more than 3 months after
// circumstances_established_on (CPC art. 457 §1). The filing date is submitted_at's
// calendar date at its own offset; the last day of the period still counts (a period of
// months ends on the same date of the last month, or that month's last day). A resubmission
// of a refused filing within the rules' cure window counts from the refused filing's
// submitted_at instead (spec §5.2; core/EarlierFiling.hpp).
#pragma once

#include "core/Stage.hpp"

namespace sot::deadline {

class DeadlineStage final : public Stage {
 public:
  std::string_view name() const override { return "deadline"; }
  std::vector<std::string_view> codes() const override { return {"DEADLINE_PASSED"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::deadline
