#include "filename/FileNameStage.hpp"

#include "core/Text.hpp"
#include "rules/RuleSet.hpp"

namespace sot::filename {

void FileNameStage::run(BundleContext& ctx, Findings& out) const {
  for (const auto& f : ctx.bundle.files()) {
    if (!f.safe_name || f.type != FileEntry::Type::kRegular) continue;
    if (auto pattern = ctx.rules.name_patterns->match(text::stem(f.name)))
      out.add_for_file("FILE_NAME_NOT_DESCRIPTIVE", f.name, {{"pattern", *pattern}});
  }
}

}  // namespace sot::filename
