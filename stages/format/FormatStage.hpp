// Format: what each file is by its content (FormatIdentifier) against the whitelist and
// against its name.
//   FORMAT_NOT_ALLOWED  content format outside rules formats.allowed
//   FORMAT_MISMATCH     the extension names another format than the content (a PNG named
//                       .jpeg, a DOCX named .pdf), or there is no extension
//   FILE_ENCRYPTED      a password-protected OOXML package (its format is then the one its
//                       extension names, so a protected .docx is "encrypted", not "not allowed")
//   FILE_CORRUPT        a damaged ZIP container named as an allowed ZIP-based format (a .docx
//                       cut short): the right format, broken — not "zip is not allowed"
//   PROCESSING_FAILED   the same past an inspection limit (a .xlsx of 100,000 entries)
#pragma once

#include "core/Stage.hpp"

namespace sot::format {

class FormatStage final : public Stage {
 public:
  std::string_view name() const override { return "format"; }
  std::vector<std::string_view> codes() const override {
    return {"FORMAT_NOT_ALLOWED", "FORMAT_MISMATCH", "FILE_ENCRYPTED", "FILE_CORRUPT",
            "PROCESSING_FAILED"};
  }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::format
