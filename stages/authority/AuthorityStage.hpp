// Authority to file (spec §5.1): a filer acting as a representative must show a power of
// attorney (a document with role power_of_attorney), an advocate a warrant (role
// advocate_warrant), unless the manifest names an electronic power of attorney of the
// e-notary registry (filer.authority_ref). Missing → AUTHORITY_MISSING.
//
// Consistency with SIGNER_AUTHORITY (the signature stage): that code asks whether the
// signer's certificate lets it sign for a legal entity *as the entity itself*; it applies to
// capacity "self" only. A filer acting under a power of attorney or a warrant shows its
// authority by that document, and its absence is this stage's one reason.
#pragma once

#include "core/Stage.hpp"

namespace sot::authority {

class AuthorityStage final : public Stage {
 public:
  std::string_view name() const override { return "authority"; }
  std::vector<std::string_view> codes() const override { return {"AUTHORITY_MISSING"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::authority
