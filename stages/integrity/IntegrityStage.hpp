// Integrity: the bundle is what the filer signed.
//   BUNDLE_MALFORMED  structural problems and manifest violations (one finding each), and a
//                     submitted_at in the future of the bundle's arrival beyond the skew
//   FILE_MISSING      listed in documents, absent from files/
//   FILE_UNLISTED     present in files/, not listed
//   DIGEST_MISMATCH   size or SHA-256 differs from the manifest
//   DUPLICATE_FILE    two files with identical content
//   PROCESSING_FAILED a file could not be read (not the filer's fault)
// Config: limits.clock_skew_seconds.
#pragma once

#include <cstdint>

#include "core/Stage.hpp"

namespace sot::integrity {

class IntegrityStage final : public Stage {
 public:
  explicit IntegrityStage(std::int64_t clock_skew_seconds) : skew_(clock_skew_seconds) {}
  std::string_view name() const override { return "integrity"; }
  std::vector<std::string_view> codes() const override {
    return {"BUNDLE_MALFORMED", "FILE_MISSING",   "FILE_UNLISTED",
            "DIGEST_MISMATCH",  "DUPLICATE_FILE", "PROCESSING_FAILED"};
  }
  void run(BundleContext& ctx, Findings& out) const override;

 private:
  std::int64_t skew_;
};

}  // namespace sot::integrity
