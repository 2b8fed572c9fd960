#include "document/TextFormatStage.hpp"

#include <algorithm>
#include <cmath>

#include "core/Text.hpp"
#include "rules/RuleSet.hpp"

namespace sot::document {

std::string font_family_key(std::string_view name) {
  // A subset tag: six capitals and '+'.
  if (name.size() > 7 && name[6] == '+' &&
      std::all_of(name.begin(), name.begin() + 6, [](char c) { return c >= 'A' && c <= 'Z'; }))
    name.remove_prefix(7);
  // Style after a comma or a hyphen: "TimesNewRoman,Bold", "LiberationSerif-Italic".
  name = name.substr(0, name.find_first_of(",-"));
  std::string key;
  for (char c : name) {
    if (c == ' ' || c == '_') continue;
    key += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  // PostScript name endings and style words written into the name.
  for (bool again = true; again;) {
    again = false;
    for (std::string_view end :
         {"psmt", "mt", "ps", "bolditalic", "bold", "italic", "oblique", "regular"}) {
      if (key.size() > end.size() + 3 &&
          key.compare(key.size() - end.size(), end.size(), end) == 0) {
        key.resize(key.size() - end.size());
        again = true;
      }
    }
  }
  return key;
}

std::optional<nlohmann::json> text_format_issue(const std::vector<analysis::FontUse>& fonts,
                                                const rules::TextFormatRules& rules) {
  std::vector<std::string> accepted = {font_family_key(rules.font)};
  for (const auto& e : rules.font_equivalents) accepted.push_back(font_family_key(e));
  std::uint64_t total = 0, matching = 0;
  for (const auto& u : fonts) {
    total += u.chars;
    const bool face =
        std::find(accepted.begin(), accepted.end(), font_family_key(u.font)) != accepted.end();
    if (face && std::abs(u.size_pt - rules.size_pt) < 0.25) matching += u.chars;
  }
  if (total == 0 || matching * 2 >= total) return std::nullopt;
  const auto& top = fonts.front();
  return nlohmann::json{{"font", top.font},
                        {"size_pt", top.size_pt},
                        {"share", std::round(1000.0 * top.chars / total) / 1000.0},
                        {"in_format_share", std::round(1000.0 * matching / total) / 1000.0},
                        {"expected_font", rules.font},
                        {"expected_size_pt", rules.size_pt},
                        {"accepted_fonts", rules.font_equivalents}};
}

void TextFormatStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  for (const auto& doc : m->documents) {
    if (doc.role != "main") continue;
    const FileEntry* f = ctx.bundle.file(doc.file);
    if (!f || f->size > ctx.rules.max_file_bytes) continue;
    const analysis::AnalysisFacts* a = ctx.facts.analysis(*f);
    if (!a || a->fonts.empty() || a->corrupt || a->limit) continue;
    if (auto issue = text_format_issue(a->fonts, ctx.rules.text_format))
      out.add_for_file("TEXT_FORMAT", f->name, std::move(*issue));
  }
}

}  // namespace sot::document
