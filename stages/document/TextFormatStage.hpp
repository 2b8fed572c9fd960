// Text format: TEXT_FORMAT (info) when most of the main document's body text is not in the
// rules' font and size (text_format.font, text_format.size_pt: Times New Roman 14), from the
// DOCX's styles and direct formatting.
#pragma once

#include "core/Stage.hpp"

namespace sot::document {

class TextFormatStage final : public Stage {
 public:
  std::string_view name() const override { return "text_format"; }
  std::vector<std::string_view> codes() const override { return {"TEXT_FORMAT"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::document
