// Document: what opening each document with its library showed (analysis/).
//   FILE_CORRUPT       cannot be parsed, truncated, or a zip bomb (what broke, in detail)
//   FILE_ENCRYPTED     a password is needed to open it (PDF user password, DOC fEncrypted)
//   FILE_RESTRICTED    it opens, but an owner password restricts it (info by default)
//   ACTIVE_CONTENT     JavaScript, Launch actions, embedded files, RichMedia; macros, ActiveX,
//                      OLE embeddings, external relationships — one finding per kind
//   FILE_EMPTY         a PDF with no pages
//   PROCESSING_FAILED  an analysis limit was reached (pages, pixels, time): never the filer's
//                      fault
#pragma once

#include "core/Stage.hpp"

namespace sot::document {

class DocumentStage final : public Stage {
 public:
  std::string_view name() const override { return "document"; }
  std::vector<std::string_view> codes() const override {
    return {"FILE_CORRUPT",   "FILE_ENCRYPTED", "FILE_RESTRICTED",
            "ACTIVE_CONTENT", "FILE_EMPTY",     "PROCESSING_FAILED"};
  }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::document
