// Filer identity: FILER_ID_INVALID when the filer's IIN (an individual, or a legal entity's
// representative) or BIN fails its check digit or is implausible (see IdentityNumber.hpp).
// Whether the signer *is* that filer is the signature stage's question (SIGNER_MISMATCH).
#pragma once

#include "core/Stage.hpp"

namespace sot::identity {

class FilerIdentityStage final : public Stage {
 public:
  std::string_view name() const override { return "identity"; }
  std::vector<std::string_view> codes() const override { return {"FILER_ID_INVALID"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::identity
