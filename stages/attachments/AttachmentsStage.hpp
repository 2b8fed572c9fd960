// Attachments: ATTACHMENT_COUNT_MISMATCH when the application's appendix ("Қосымша", the
// manifest's `appendix`) and the attached documents (every document but the main one:
// attachments, the payment receipt, a power of attorney) do not correspond — in number, or
// by title. Titles match tolerantly: case, whitespace, punctuation and quotes are ignored
// (text::title_key), and a document matches by its declared title or its file name.
#pragma once

#include "core/Stage.hpp"

namespace sot::attachments {

class AttachmentsStage final : public Stage {
 public:
  std::string_view name() const override { return "attachments"; }
  std::vector<std::string_view> codes() const override { return {"ATTACHMENT_COUNT_MISMATCH"}; }
  void run(BundleContext& ctx, Findings& out) const override;
};

}  // namespace sot::attachments
