// The bundle page's model: everything a clerk needs to decide one bundle on one screen — the
// header, the findings in words (the rule's message in the clerk's language, the file and page,
// the evidence as a phrase), the signature as a card of green and red lines, the documents
// with the selected one's pages (thumbnails, the page the selected finding concerns, its
// region marked when the finding knows one) or its text, and the decision controls with the
// reasons the check found ticked in advance.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "review/Decisions.hpp"
#include "review/SafeJson.hpp"
#include "rules/RuleSet.hpp"

namespace sot::review {

struct BundleView {
  std::string lang;
  std::string placed;
  std::string context;   // the queue filter as a query string ("q=…&court=…"), carried along
  int finding = -1;      // the selected finding (-1: the first that names a file)
  int doc = -1;          // the selected document (-1: the finding's, else the first)
  int page = 0;          // the selected page (0: the finding's, else 1)
  int zoom = 0;          // preview resolution (0: default)
  bool previews = true;  // page images can be rendered
};

inline constexpr int kZoomLevels[] = {60, 80, 100, 120, 150};

// `shown` is Decisions::show(); the model lacks only the parts that need the session, the
// queue and the document's text (csrf, prev/next, text), which the caller adds.
nlohmann::json bundle_model(const nlohmann::json& shown, const BundleView& v,
                            const rules::RuleSet& rules, const Decisions& decisions);

// A finding's detail as a phrase in `lang` ("совпадает с файлом «…»; разрешение 150 dpi").
std::string evidence_text(const nlohmann::json& detail, const std::string& lang);

// The formats whose pages the viewer shows as images, and those shown as text.
bool has_page_images(const std::string& format);
bool has_text_preview(const std::string& format);

}  // namespace sot::review
