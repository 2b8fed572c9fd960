#include "document/TextFormatStage.hpp"

#include <cmath>

#include "core/Text.hpp"
#include "rules/RuleSet.hpp"

namespace sot::document {

void TextFormatStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  for (const auto& doc : m->documents) {
    if (doc.role != "main") continue;
    const FileEntry* f = ctx.bundle.file(doc.file);
    if (!f || f->size > ctx.rules.max_file_bytes) continue;
    const analysis::AnalysisFacts* a = ctx.facts.analysis(*f);
    if (!a || a->fonts.empty() || a->corrupt) continue;
    std::uint64_t total = 0, matching = 0;
    const std::string want = text::fold_case(ctx.rules.text_format.font);
    for (const auto& u : a->fonts) {
      total += u.chars;
      if (text::fold_case(u.font) == want &&
          std::abs(u.size_pt - ctx.rules.text_format.size_pt) < 0.25)
        matching += u.chars;
    }
    if (total == 0 || matching * 2 >= total) continue;
    const auto& top = a->fonts.front();
    out.add_for_file("TEXT_FORMAT", f->name,
                     {{"font", top.font},
                      {"size_pt", top.size_pt},
                      {"share", std::round(1000.0 * top.chars / total) / 1000.0},
                      {"expected_font", ctx.rules.text_format.font},
                      {"expected_size_pt", ctx.rules.text_format.size_pt}});
  }
}

}  // namespace sot::document
