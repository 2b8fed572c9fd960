#include "readability/TextQuality.hpp"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>

#include "core/Text.hpp"

namespace sot::readability {

namespace {

// Decodes UTF-8; invalid sequences become U+FFFD (which counts as mojibake).
std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

bool is_mojibake_char(char32_t c) {
  if (c == U'\uFFFD') return true;
  if (c >= 0xE000 && c <= 0xF8FF) return true;  // private use
  if (c >= 0x80 && c <= 0x9F) return true;      // C1 controls
  if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return true;
  // Latin-1 letters and symbols: CP1251 or UTF-8 bytes read as CP1252 ("Ñîò", "Ð¡Ð¾Ð´")
  return c >= 0xA0 && c <= 0xFF;
}

constexpr std::u32string_view kVowels = U"аәеёиіоөуұүыэюяaeiouy";

struct Word {
  std::u32string letters;
  bool mixed_script = false;
  bool all_upper = true;
};

// Splits into words of letters (hyphens inside words kept out; apostrophes ignored).
template <typename F>
void for_each_word(const std::u32string& u, F&& f) {
  Word w;
  UScriptCode script = USCRIPT_INVALID_CODE;
  auto flush = [&] {
    if (!w.letters.empty()) f(w);
    w = Word{};
    script = USCRIPT_INVALID_CODE;
  };
  for (char32_t c : u) {
    if (u_isalpha(static_cast<UChar32>(c))) {
      UErrorCode st = U_ZERO_ERROR;
      const UScriptCode sc = uscript_getScript(static_cast<UChar32>(c), &st);
      if (script == USCRIPT_INVALID_CODE)
        script = sc;
      else if (sc != script)
        w.mixed_script = true;
      if (!u_isupper(static_cast<UChar32>(c))) w.all_upper = false;
      w.letters.push_back(static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), 0)));
    } else if (c == U'\'' || c == U'’') {
      continue;
    } else {
      flush();
    }
  }
  flush();
}

bool plausible(const Word& w) {
  const auto& l = w.letters;
  if (w.mixed_script || l.size() > 30) return false;
  UErrorCode st = U_ZERO_ERROR;
  const UScriptCode sc = uscript_getScript(static_cast<UChar32>(l[0]), &st);
  if (sc != USCRIPT_CYRILLIC && sc != USCRIPT_LATIN) return false;
  for (size_t i = 2; i < l.size(); ++i)
    if (l[i] == l[i - 1] && l[i] == l[i - 2]) return false;
  const bool vowel = std::any_of(
      l.begin(), l.end(), [](char32_t c) { return kVowels.find(c) != std::u32string_view::npos; });
  return vowel || (w.all_upper && l.size() <= 5);  // abbreviations: ГПК, РК, ЖШС
}

std::string encode(const std::u32string& u) {
  std::string out;
  for (char32_t c : u) text::append_utf8(out, c);
  return out;
}

// Folding for matching: Kazakh letters to the Russian ones OCR confuses them with, ё → е,
// Latin look-alikes to Cyrillic (after case folding).
char32_t match_fold(char32_t c) {
  switch (c) {
    case U'ё':
      return U'е';
    case U'ә':
      return U'а';
    case U'ғ':
      return U'г';
    case U'қ':
      return U'к';
    case U'ң':
      return U'н';
    case U'ө':
      return U'о';
    case U'ұ':
    case U'ү':
      return U'у';
    case U'һ':
      return U'х';
    case U'і':
    case U'i':
    case U'й':
      return U'и';
    case U'a':
      return U'а';
    case U'b':
      return U'в';
    case U'c':
      return U'с';
    case U'e':
      return U'е';
    case U'h':
      return U'н';
    case U'k':
      return U'к';
    case U'm':
      return U'м';
    case U'o':
      return U'о';
    case U'p':
      return U'р';
    case U't':
      return U'т';
    case U'x':
      return U'х';
    case U'y':
      return U'у';
    default:
      return c;
  }
}

}  // namespace

TextQuality assess_text(std::string_view utf8, const rules::ReadabilityRules& rules) {
  TextQuality q;
  const std::u32string u = decode(utf8);
  std::map<char32_t, int> freq;
  for (char32_t c : u) {
    if (u_isspace(static_cast<UChar32>(c))) continue;
    ++q.characters;
    ++freq[c];
    if (is_mojibake_char(c)) ++q.mojibake;
    if (u_isalpha(static_cast<UChar32>(c))) ++q.letters;
  }
  for (const auto& [c, n] : freq)
    if (q.characters >= 20 && n * 2 > q.characters) q.repeated_glyph = true;
  for_each_word(u, [&](const Word& w) {
    if (w.letters.size() < 2) return;
    ++q.words;
    if (plausible(w)) ++q.plausible;
    if (rules.common_words.count(encode(w.letters))) ++q.common;
  });
  return q;
}

TextVerdict judge_text(const TextQuality& q, const rules::ReadabilityRules& rules) {
  if (q.characters >= 10 &&
      (q.repeated_glyph || q.mojibake_share() > rules.text_max_mojibake_share))
    return TextVerdict::kGarbled;
  if (q.characters < 20 || q.words < 3) return TextVerdict::kEmpty;
  if (q.plausible_share() < rules.text_min_plausible_share) return TextVerdict::kGarbled;
  if (q.words >= 40 && q.common_share() < rules.text_min_common_share) return TextVerdict::kGarbled;
  return TextVerdict::kReadable;
}

std::vector<std::u32string> match_words(std::string_view utf8) {
  std::u32string u = decode(utf8);
  // Words hyphenated at a line end: "тала-\nп" → "талап"; soft hyphens vanish.
  std::u32string joined;
  joined.reserve(u.size());
  for (size_t i = 0; i < u.size(); ++i) {
    if (u[i] == U'\u00AD') continue;
    if ((u[i] == U'-' || u[i] == U'\u2010') && i + 1 < u.size()) {
      size_t j = i + 1;
      while (j < u.size() && (u[j] == U' ' || u[j] == U'\r')) ++j;
      if (j < u.size() && u[j] == U'\n') {
        i = j;
        continue;
      }
    }
    joined.push_back(u[i]);
  }
  std::vector<std::u32string> out;
  for_each_word(joined, [&](const Word& w) {
    std::u32string m;
    for (char32_t c : w.letters) m.push_back(match_fold(c));
    out.push_back(std::move(m));
  });
  return out;
}

bool word_matches(const std::u32string& key, const std::u32string& w) {
  size_t common = 0;
  while (common < key.size() && common < w.size() && key[common] == w[common]) ++common;
  if (common >= 4) return true;
  // one is the other's stem: «сот» in «сотқа», «хат» and «хаты»
  if (common >= 3 && common == std::min(key.size(), w.size())) return true;
  if (common == key.size() && common == w.size()) return true;
  if (key.size() >= 6 && w.size() >= 6) {
    int diff = 0;
    for (size_t i = 0; i < 6; ++i) diff += key[i] != w[i];
    return diff <= 1;
  }
  return false;
}

namespace {

// The key words of `phrase`: its match words of three letters or more, minus `ignore`.
std::vector<std::u32string> keys_of(std::string_view phrase,
                                    const std::vector<std::u32string>& ignore) {
  std::vector<std::u32string> out;
  for (auto& w : match_words(phrase)) {
    if (w.size() < 3) continue;
    if (std::find(ignore.begin(), ignore.end(), w) != ignore.end()) continue;
    out.push_back(std::move(w));
  }
  return out;
}

// Every key word of `phrase` matches a word of `words`.
bool contains_phrase(const std::vector<std::u32string>& words,
                     const std::vector<std::u32string>& phrase_keys) {
  if (phrase_keys.empty()) return false;
  for (const auto& k : phrase_keys)
    if (std::none_of(words.begin(), words.end(), [&](const auto& w) { return word_matches(k, w); }))
      return false;
  return true;
}

}  // namespace

std::vector<std::u32string> title_keys(std::string_view title,
                                       const rules::ReadabilityRules& rules) {
  std::vector<std::u32string> ignore;
  for (const auto& w : rules.title_ignore_words)
    for (auto& m : match_words(w)) ignore.push_back(std::move(m));
  std::vector<std::u32string> keys = keys_of(title, ignore);
  const std::vector<std::u32string> title_words = match_words(title);
  for (const auto& group : rules.title_synonyms) {
    bool hit = false;
    for (const auto& phrase : group)
      hit = hit || contains_phrase(title_words, keys_of(phrase, ignore));
    if (!hit) continue;
    for (const auto& phrase : group)
      for (auto& k : keys_of(phrase, ignore))
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(std::move(k));
  }
  return keys;
}

bool title_found(const std::vector<std::u32string>& keys,
                 const std::vector<std::u32string>& words) {
  for (const auto& k : keys)
    for (const auto& w : words)
      if (word_matches(k, w)) return true;
  return false;
}

}  // namespace sot::readability
