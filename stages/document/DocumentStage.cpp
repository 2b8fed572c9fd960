#include "document/DocumentStage.hpp"

#include <map>

#include "rules/RuleSet.hpp"

namespace sot::document {

void DocumentStage::run(BundleContext& ctx, Findings& out) const {
  for (const auto& f : ctx.bundle.files()) {
    // A file over the size limit is refused for that; it is not opened.
    if (f.size > ctx.rules.max_file_bytes) continue;
    const analysis::AnalysisFacts* a = ctx.facts.analysis(f);
    if (!a) continue;
    if (a->corrupt) {
      const bool bomb = a->notes.value("zip_bomb", false);
      out.add_for_file(bomb ? ctx.rules.zip_bomb_code : "FILE_CORRUPT", f.name,
                       {{"format", a->format}, {"reason", *a->corrupt}});
      continue;
    }
    if (a->encrypted) {
      nlohmann::json d = {{"format", a->format}};
      if (a->notes.contains("encryption")) d["reason"] = a->notes["encryption"];
      out.add_for_file("FILE_ENCRYPTED", f.name, std::move(d));
      continue;
    }
    if (a->restricted)
      out.add_for_file("FILE_RESTRICTED", f.name,
                       {{"format", a->format}, {"reason", a->notes.value("encryption", "")}});
    std::map<std::string, std::vector<std::string>> by_kind;
    for (const auto& ac : a->active) by_kind[ac.kind].push_back(ac.where);
    for (const auto& [kind, where] : by_kind)
      out.add_for_file("ACTIVE_CONTENT", f.name, {{"kind", kind}, {"where", where}});
    if (a->limit) {
      out.add_for_file("PROCESSING_FAILED", f.name, {{"reason", *a->limit}});
      continue;
    }
    if (a->format == "pdf" && a->pages == 0)
      out.add_for_file("FILE_EMPTY", f.name, {{"reason", "the PDF has no pages"}});
  }
}

}  // namespace sot::document
