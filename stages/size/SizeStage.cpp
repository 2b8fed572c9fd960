#include "size/SizeStage.hpp"

#include "rules/RuleSet.hpp"

namespace sot::size {

void SizeStage::run(BundleContext& ctx, Findings& out) const {
  std::uint64_t total = 0;
  for (const auto& f : ctx.bundle.files()) {
    if (!f.safe_name || f.type != FileEntry::Type::kRegular) continue;
    total += f.size;
    if (f.size == 0) {
      out.add_for_file("FILE_EMPTY", f.name, {{"bytes", 0}});
    } else if (f.size > ctx.rules.max_file_bytes) {
      out.add_for_file("FILE_TOO_LARGE", f.name,
                       {{"bytes", f.size}, {"limit", ctx.rules.max_file_bytes}});
    }
  }
  if (total > ctx.rules.max_bundle_bytes)
    out.add("BUNDLE_TOO_LARGE", {{"bytes", total}, {"limit", ctx.rules.max_bundle_bytes}});
}

}  // namespace sot::size
