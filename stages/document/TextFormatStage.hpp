// Text format: TEXT_FORMAT (info) when most of the main document's body text is not in the
// rules' font and size (text_format.font, text_format.size_pt: Times New Roman 14; or one of
// text_format.font_equivalents), from the DOCX's styles and direct formatting or from the
// fonts and effective sizes a PDF's visible text layer is drawn with.
#pragma once

#include "core/Stage.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/DocumentAnalysis.hpp"

namespace sot::rules {
struct TextFormatRules;
}

namespace sot::document {

// A font name reduced to its family for comparison: "ABCDEF+TimesNewRomanPS-BoldMT",
// "Times New Roman" and "TimesNewRoman,Bold" are all "timesnewroman".
std::string font_family_key(std::string_view name);

// The TEXT_FORMAT finding's detail for a document's font use, or nothing when most of its
// text is in the rules' font (or an equivalent) and size.
std::optional<nlohmann::json> text_format_issue(const std::vector<analysis::FontUse>& fonts,
                                                const rules::TextFormatRules& rules);

class TextFormatStage final : public Stage {
 public:
  std::string_view name() const override { return "text_format"; }
  std::vector<std::string_view> codes() const override { return {"TEXT_FORMAT"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::document
