// File names: FILE_NAME_NOT_DESCRIPTIVE when a file's name, without its extension, is
// entirely one of the rules' patterns (file_names.patterns: scan001, IMG_1234, DSC_0001,
// "WhatsApp Image …", a bare number, "документ"/"құжат"/"document" alone, …). The document
// requirements say a file's name must identify the document.
#pragma once

#include "core/Stage.hpp"

namespace sot::filename {

class FileNameStage final : public Stage {
 public:
  std::string_view name() const override { return "file_name"; }
  std::vector<std::string_view> codes() const override { return {"FILE_NAME_NOT_DESCRIPTIVE"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::filename
