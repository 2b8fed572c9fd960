// Resubmission of a refused filing (spec §5.2): a manifest's `resubmission_of` must name this
// filer's earlier filing that was rejected. What the registry knows of it arrives with the
// bundle (BundleContext::earlier, looked up by the daemon or `check` before the checks run);
// unknown, registered, not yet decided, another filer's, or no registry to ask →
// RESUBMISSION_INVALID (review: a clerk links it by hand).
//
// Report section "resubmission": the earlier filing, whether the cure window applies and the
// instant the deadline is counted from; the pipeline adds which of the earlier reasons are
// gone and which remain.
#pragma once

#include "core/Stage.hpp"

namespace sot::resubmission {

class ResubmissionStage final : public Stage {
 public:
  std::string_view name() const override { return "resubmission"; }
  std::vector<std::string_view> codes() const override { return {"RESUBMISSION_INVALID"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::resubmission
