// Is a text real language? The text layer of a PDF page or an office document's body is
// readable when most of its words are plausible words of the Kazakh, Russian or Latin
// alphabets and, for longer texts, some are common words of those languages (rules'
// readability.common_words). Mojibake — a broken ToUnicode map's Latin-1 soup ("Ñîò"),
// private-use or replacement glyphs, one glyph repeated — makes the text layer worthless:
// the page is then read from its image instead.
//
// Also here: the tolerant word matching of the title check (case, ё/е, Kazakh letters that
// OCR reads as their Russian neighbours, Latin look-alikes, hyphenation at line ends).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rules/RuleSet.hpp"

namespace sot::readability {

struct TextQuality {
  int letters = 0;              // alphabetic characters
  int words = 0;                // tokens of two or more letters
  int plausible = 0;            // … in one alphabet, with a vowel, not a letter repeated
  int common = 0;               // … that are common words
  int mojibake = 0;             // characters typical of a broken encoding
  int characters = 0;           // non-space characters
  bool repeated_glyph = false;  // one character makes up most of the text
  double plausible_share() const { return words ? double(plausible) / words : 0; }
  double common_share() const { return words ? double(common) / words : 0; }
  double mojibake_share() const { return characters ? double(mojibake) / characters : 0; }
};

TextQuality assess_text(std::string_view utf8, const rules::ReadabilityRules& rules);

enum class TextVerdict { kEmpty, kReadable, kGarbled };
// kEmpty: too little text to judge; kGarbled: mojibake or not language (read the image).
TextVerdict judge_text(const TextQuality& q, const rules::ReadabilityRules& rules);

// Words for tolerant matching: case-folded, ё → е, Kazakh letters folded to their Russian
// neighbours (ә → а, қ → к, …), Latin look-alikes to Cyrillic, words broken by a hyphen at a
// line end joined again; only tokens of letters.
std::vector<std::u32string> match_words(std::string_view utf8);

// The key words of a declared title (match_words minus rules' title_ignore_words and words
// shorter than three letters), widened by the synonym groups any phrase of which the title
// contains.
std::vector<std::u32string> title_keys(std::string_view title,
                                       const rules::ReadabilityRules& rules);

// True when a key word appears in `words`: a shared prefix of four or more letters, or one word
// the other's stem of three or more (Kazakh and Russian inflect by suffix: «шарттың» is «шарт»),
// or, for words of six letters or more, at most one letter different in the first six (an OCR
// slip).
bool title_found(const std::vector<std::u32string>& keys, const std::vector<std::u32string>& words);

// The word comparison title_found uses, for one pair.
bool word_matches(const std::u32string& key, const std::u32string& word);

}  // namespace sot::readability
