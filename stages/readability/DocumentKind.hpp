// What a document is, from its text: a claim, an appeal, a court decision, a power of
// attorney, a receipt, a contract, … (the kinds, their names and their typical phrases in
// Kazakh and Russian are the rules' [[readability.kinds]]).
//
// A document names itself at its top: a short line within its first lines («ИСКОВОЕ
// ЗАЯВЛЕНИЕ», «Қарыз шарты № 17», «СЕНІМХАТ») is its heading. The heading is the strong
// evidence; the kind's markers — phrases its body typically has («прошу суд», «сот шешті»,
// «осы сенімхат») — support it, and alone recognise a document only when there are several
// and no other kind comes close. The declared title's kind is the kind it names; the two are
// compared, with a kind and the broader kind it is a case of (a claim is an application)
// counting as the same.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/RuleSet.hpp"

namespace sot::readability {

struct KindRecognition {
  std::string kind;        // "" when the text does not say clearly enough
  std::string confidence;  // "high" (heading and markers), "medium" (heading), "low" (markers)
  int score = 0;
  std::string runner_up;  // the next best kind, if any
  int runner_up_score = 0;
  std::string heading;                 // the heading line, as read
  std::vector<std::string> evidence;   // what was found: the heading and the markers
  std::map<std::string, int> markers;  // distinct markers found, by kind
  // Certain enough to call a title wrong: the document named itself.
  bool decisive() const { return !kind.empty() && confidence != "low"; }
  nlohmann::json to_json() const;
};

// Recognises the kind of a document from its first page(s) of text.
KindRecognition recognise_kind(std::string_view text, const rules::ReadabilityRules& rules);

// The kind a declared title names: the most specific name found in it; "" for none.
std::string declared_kind(std::string_view title, const rules::ReadabilityRules& rules);

// The same document kind for a title check: equal, or one is the other's broader kind.
bool same_kind(std::string_view a, std::string_view b, const rules::ReadabilityRules& rules);

// The title check of one document: what its first pages' text is against what its title
// says. Where the document names itself, it must be the title's kind (or a case of it);
// where it does not, phrases typical of the title's kind, or else the title's words (or their
// synonyms), must appear in the text.
struct TitleCheck {
  bool mismatch = false;
  std::string declared;  // the title's kind ("" if it names none)
  KindRecognition recognised;
  std::string basis;  // "kind", "markers" (the declared kind's phrases are there) or "words"
};
TitleCheck check_title(std::string_view title, std::string_view first_text,
                       const rules::ReadabilityRules& rules);

}  // namespace sot::readability
