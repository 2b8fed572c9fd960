#include "attachments/AttachmentsStage.hpp"

#include "core/Text.hpp"

namespace sot::attachments {

void AttachmentsStage::run(BundleContext& ctx, Findings& out) const {
  const Manifest* m = ctx.bundle.manifest();
  if (!m) return;
  std::vector<const DocumentEntry*> attached;
  for (const auto& d : m->documents)
    if (d.role != "main") attached.push_back(&d);

  // Greedy one-to-one matching: each appendix entry takes the first unmatched document
  // whose title (or file name) has the same key.
  std::vector<bool> used(attached.size(), false);
  std::vector<std::string> unmatched_appendix;
  for (const auto& entry : m->appendix) {
    const std::string key = text::title_key(entry);
    bool found = false;
    for (size_t i = 0; i < attached.size() && !found; ++i) {
      if (used[i]) continue;
      if (text::title_key(attached[i]->title) == key ||
          text::title_key(text::stem(attached[i]->file)) == key) {
        used[i] = found = true;
      }
    }
    if (!found) unmatched_appendix.push_back(entry);
  }
  std::vector<std::string> unmatched_documents;
  for (size_t i = 0; i < attached.size(); ++i)
    if (!used[i]) unmatched_documents.push_back(attached[i]->title);

  if (unmatched_appendix.empty() && unmatched_documents.empty()) return;
  std::vector<std::string> all = unmatched_appendix;
  all.insert(all.end(), unmatched_documents.begin(), unmatched_documents.end());
  out.add("ATTACHMENT_COUNT_MISMATCH", {{"listed", m->appendix.size()},
                                        {"attached", attached.size()},
                                        {"listed_not_attached", unmatched_appendix},
                                        {"attached_not_listed", unmatched_documents},
                                        {"unmatched", all}});
}

}  // namespace sot::attachments
