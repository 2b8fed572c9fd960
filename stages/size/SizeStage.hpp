// Size: FILE_EMPTY (0 bytes), FILE_TOO_LARGE (over rules limits.max_file_bytes, 20 MiB by
// default), BUNDLE_TOO_LARGE (all files together over limits.max_bundle_bytes). Sizes are
// the received files' own, not the manifest's claims.
#pragma once

#include "core/Stage.hpp"

namespace sot::size {

class SizeStage final : public Stage {
 public:
  std::string_view name() const override { return "size"; }
  std::vector<std::string_view> codes() const override {
    return {"FILE_EMPTY", "FILE_TOO_LARGE", "BUNDLE_TOO_LARGE"};
  }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::size
