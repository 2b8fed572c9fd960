#include "readability/DocumentKind.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <functional>
#include <map>

#include "core/Text.hpp"
#include "readability/TextQuality.hpp"

namespace sot::readability {

namespace {

using Words = std::vector<std::u32string>;

constexpr int kHeadingScore = 6;    // the document's own heading
constexpr int kUppercaseBonus = 1;  // … set in capitals, as titles are
constexpr int kLaterHeading = 2;    // another title line further down (once per kind)
constexpr int kMaxMarkers = 6;      // markers counted per kind
constexpr int kMarginHeading = 3;   // a heading beats the runner-up by this much
constexpr int kMarginMarkers = 2;   // markers alone: by this much
constexpr size_t kMaxWords = 4000;  // words of text looked at for markers

struct Phrase {
  size_t kind = 0;  // index into rules.kinds
  Words words;
  size_t letters = 0;
  std::string text;
};

struct Phrases {
  std::vector<Phrase> names;
  std::vector<Phrase> markers;
  Words ignore;
};

// Words of two letters or more, as match_words folds them.
Words words_of(std::string_view text) {
  Words out;
  for (auto& w : match_words(text))
    if (w.size() >= 2) out.push_back(std::move(w));
  return out;
}

Phrases compile_phrases(const rules::ReadabilityRules& rules) {
  Phrases p;
  auto add = [](std::vector<Phrase>& to, size_t kind, const std::string& text) {
    Phrase ph{kind, words_of(text), 0, text};
    for (const auto& w : ph.words) ph.letters += w.size();
    if (!ph.words.empty()) to.push_back(std::move(ph));
  };
  for (size_t k = 0; k < rules.kinds.size(); ++k) {
    for (const auto& n : rules.kinds[k].names) add(p.names, k, n);
    for (const auto& m : rules.kinds[k].markers) add(p.markers, k, m);
  }
  for (const auto& w : rules.title_ignore_words)
    for (auto& m : words_of(w)) p.ignore.push_back(std::move(m));
  return p;
}

// The rules' phrases folded for matching, computed once per thread for the same rules (a
// fingerprint of their text, so rules reloaded at the same address are not mistaken).
const Phrases& phrases_of(const rules::ReadabilityRules& rules) {
  std::size_t fp = rules.kinds.size();
  auto mix = [&](const std::string& s) { fp = fp * 1000003u ^ std::hash<std::string>{}(s); };
  for (const auto& k : rules.kinds) {
    mix(k.kind);
    for (const auto& n : k.names) mix(n);
    for (const auto& m : k.markers) mix(m);
  }
  for (const auto& w : rules.title_ignore_words) mix(w);
  thread_local std::size_t cached_fp = 0;
  thread_local Phrases cached;
  thread_local bool filled = false;
  if (!filled || cached_fp != fp) {
    cached = compile_phrases(rules);
    cached_fp = fp;
    filled = true;
  }
  return cached;
}

// A name's word in a text's word: the same word inflected — a suffix added («шешім» in
// «шешімінің», «договор» in «договора») or the last letters changed («решение», «решения»).
// Stricter than the title check's word matching: «заявитель» is not «заявление».
bool inflects(const std::u32string& name, const std::u32string& word) {
  size_t common = 0;
  while (common < name.size() && common < word.size() && name[common] == word[common]) ++common;
  if (common == name.size()) return word.size() - name.size() <= 6;
  return common >= std::max<size_t>(4, name.size() - 2);
}

// How closely a name fits where it matched: its letters, less those it has beyond a shorter
// word («хаттама» fits «хат» worse than «хат» does).
int fit(const Words& words, size_t at, const Words& phrase) {
  int f = 0;
  for (size_t i = 0; i < phrase.size(); ++i) {
    const int n = static_cast<int>(phrase[i].size()), w = static_cast<int>(words[at + i].size());
    f += std::min(n, w) - std::max(0, n - w);
  }
  return f;
}

bool matches_at(const Words& words, size_t at, const Words& phrase) {
  if (at + phrase.size() > words.size()) return false;
  for (size_t i = 0; i < phrase.size(); ++i)
    if (!inflects(phrase[i], words[at + i])) return false;
  return true;
}

bool found_in(const Words& words, const Words& phrase) {
  for (size_t at = 0; at + phrase.size() <= words.size(); ++at)
    if (matches_at(words, at, phrase)) return true;
  return false;
}

// Kazakh letters: a Kazakh name puts the kind last («Қарыз шарты»), a Russian one first
// («Договор займа»).
bool has_kazakh_letters(std::string_view utf8) {
  static const std::u32string kk = U"әғқңөұүһіӘҒҚҢӨҰҮҺІ";
  std::string buf;
  for (char32_t c : kk) {
    buf.clear();
    text::append_utf8(buf, c);
    if (utf8.find(buf) != std::string_view::npos) return true;
  }
  return false;
}

bool is_uppercase(std::string_view utf8) {
  int upper = 0, lower = 0;
  const auto n = static_cast<int32_t>(std::min<size_t>(utf8.size(), 1 << 20));
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(utf8.data(), i, n, c);
    if (c < 0) continue;
    if (u_isULowercase(c)) ++lower;
    if (u_isUUppercase(c)) ++upper;
  }
  return upper >= 3 && lower == 0;
}

bool starts_lowercase(std::string_view utf8) {
  const auto n = static_cast<int32_t>(std::min<size_t>(utf8.size(), 1 << 20));
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(utf8.data(), i, n, c);
    if (c < 0) continue;
    if (u_isalpha(c)) return u_isULowercase(c);
  }
  return false;
}

struct NameMatch {
  const Phrase* phrase = nullptr;
  size_t at = 0;
  int fit = 0;
};

// The name a run of words gives. Kazakh puts the kind last («Талап арызға пікір» is a
// response, «Қарыз шарты» a contract), Russian first («Отзыв на исковое заявление»): the
// name ending last, or starting first; among those the one that fits best. With `heading`,
// only a name at the start or the end of a short run counts.
NameMatch name_in(const Words& words, const Phrases& p, bool kazakh, bool heading, bool uppercase) {
  NameMatch best;
  for (const auto& ph : p.names) {
    for (size_t at = 0; at + ph.words.size() <= words.size(); ++at) {
      if (!matches_at(words, at, ph.words)) continue;
      const size_t end = at + ph.words.size();
      if (heading) {
        const bool start_ok = at == 0 && words.size() <= (uppercase ? 10u : 6u);
        const bool end_ok = end == words.size() && words.size() <= 5;
        if (!start_ok && !end_ok) continue;
      }
      const NameMatch m{&ph, at, fit(words, at, ph.words)};
      if (!best.phrase) {
        best = m;
        continue;
      }
      const size_t best_end = best.at + best.phrase->words.size();
      const bool earlier_or_later = kazakh ? end > best_end : at < best.at;
      const bool same_place = kazakh ? end == best_end : at == best.at;
      if (earlier_or_later || (same_place && m.fit > best.fit)) best = m;
    }
  }
  return best;
}

// At most `bytes` bytes of `s`, not cutting a character.
std::string utf8_prefix(std::string_view s, size_t bytes) {
  if (s.size() <= bytes) return std::string(s);
  size_t n = bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// Strips words that say nothing about the kind («копия», «көшірмесі») from both ends.
Words trimmed(Words words, const Words& ignore) {
  auto ignored = [&](const std::u32string& w) {
    return std::find(ignore.begin(), ignore.end(), w) != ignore.end();
  };
  while (!words.empty() && ignored(words.front())) words.erase(words.begin());
  while (!words.empty() && ignored(words.back())) words.pop_back();
  return words;
}

}  // namespace

nlohmann::json KindRecognition::to_json() const {
  nlohmann::json j = {{"kind", kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(kind)},
                      {"score", score},
                      {"evidence", evidence}};
  if (!kind.empty()) j["confidence"] = confidence;
  if (!heading.empty()) j["heading"] = heading;
  if (!markers.empty()) j["markers"] = markers;
  if (!runner_up.empty()) {
    j["runner_up"] = runner_up;
    j["runner_up_score"] = runner_up_score;
  }
  return j;
}

KindRecognition recognise_kind(std::string_view text, const rules::ReadabilityRules& rules) {
  KindRecognition r;
  if (rules.kinds.empty()) return r;
  const Phrases& p = phrases_of(rules);
  std::vector<int> score(rules.kinds.size(), 0);
  std::vector<int> markers(rules.kinds.size(), 0);
  std::vector<bool> later(rules.kinds.size(), false);
  std::vector<std::string> evidence;
  long heading_kind = -1;

  // Headings: short lines near the top that name a kind.
  long lines_seen = 0;
  size_t pos = 0;
  while (pos <= text.size() && lines_seen < rules.kind_heading_lines) {
    const size_t nl = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    const Words words = trimmed(words_of(line), p.ignore);
    if (words.empty()) continue;
    ++lines_seen;
    const bool upper = is_uppercase(line);
    // A sentence (ending in . , ; :) is body text, not a heading, unless set in capitals.
    std::string_view end = line;
    while (!end.empty() && (end.back() == ' ' || end.back() == '\r')) end.remove_suffix(1);
    if (!upper && !end.empty() &&
        std::string_view(".,;:").find(end.back()) != std::string_view::npos)
      continue;
    // A field («Шағым беруші: …», «Цена иска: …») is not a heading either.
    if (line.find(':') != std::string_view::npos) continue;
    // Nor is a line that starts in lower case: the rest of a wrapped sentence.
    if (starts_lowercase(line)) continue;
    const NameMatch m = name_in(words, p, has_kazakh_letters(line), true, upper);
    if (!m.phrase) continue;
    const size_t k = m.phrase->kind;
    std::string shown = utf8_prefix(line, 120);
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\r')) shown.pop_back();
    if (heading_kind < 0) {
      heading_kind = static_cast<long>(k);
      score[k] += kHeadingScore + (upper ? kUppercaseBonus : 0);
      r.heading = shown;
      evidence.push_back("heading «" + shown + "» names " + rules.kinds[k].kind);
    } else if (upper && !later[k] && static_cast<long>(k) != heading_kind) {
      later[k] = true;
      score[k] += kLaterHeading;
      evidence.push_back("title line «" + shown + "» names " + rules.kinds[k].kind);
    }
  }

  // Markers anywhere in the text.
  Words all = words_of(text.substr(0, 64 * 1024));
  if (all.size() > kMaxWords) all.resize(kMaxWords);
  for (const auto& ph : p.markers) {
    if (markers[ph.kind] >= kMaxMarkers || !found_in(all, ph.words)) continue;
    ++markers[ph.kind];
    ++score[ph.kind];
  }

  std::vector<size_t> order(score.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });
  const size_t best = order[0];
  r.score = score[best];
  if (order.size() > 1 && score[order[1]] > 0) {
    r.runner_up = rules.kinds[order[1]].kind;
    r.runner_up_score = score[order[1]];
  }
  const int margin = score[best] - r.runner_up_score;
  for (const auto& ph : p.markers)
    if (ph.kind == best && found_in(all, ph.words) && evidence.size() < 12)
      evidence.push_back("marker «" + ph.text + "»");
  r.evidence = std::move(evidence);
  for (size_t k = 0; k < markers.size(); ++k)
    if (markers[k] > 0) r.markers[rules.kinds[k].kind] = markers[k];
  if (static_cast<long>(best) == heading_kind && margin >= kMarginHeading) {
    r.kind = rules.kinds[best].kind;
    r.confidence = markers[best] > 0 ? "high" : "medium";
  } else if (markers[best] >= rules.kind_min_markers && margin >= kMarginMarkers) {
    r.kind = rules.kinds[best].kind;
    r.confidence = "low";
  }
  return r;
}

std::string declared_kind(std::string_view title, const rules::ReadabilityRules& rules) {
  if (rules.kinds.empty()) return "";
  const Phrases& p = phrases_of(rules);
  const Words words = trimmed(words_of(title), p.ignore);
  const NameMatch m = name_in(words, p, has_kazakh_letters(title), false, false);
  return m.phrase ? rules.kinds[m.phrase->kind].kind : "";
}

bool same_kind(std::string_view a, std::string_view b, const rules::ReadabilityRules& rules) {
  if (a == b) return true;
  auto broader = [&](std::string_view k) -> std::string_view {
    for (const auto& r : rules.kinds)
      if (r.kind == k) return r.is_a;
    return {};
  };
  // Up the is_a chain from either side (bounded: the rules may not loop, but be safe).
  std::string_view x = a;
  for (int i = 0; i < 8 && !x.empty(); ++i, x = broader(x))
    if (x == b) return true;
  x = b;
  for (int i = 0; i < 8 && !x.empty(); ++i, x = broader(x))
    if (x == a) return true;
  return false;
}

TitleCheck check_title(std::string_view title, std::string_view first_text,
                       const rules::ReadabilityRules& rules) {
  TitleCheck c;
  c.recognised = recognise_kind(first_text, rules);
  c.declared = declared_kind(title, rules);
  int declared_markers = 0;
  for (const auto& [kind, n] : c.recognised.markers)
    if (!c.declared.empty() && same_kind(kind, c.declared, rules)) declared_markers += n;
  if (!c.declared.empty() && c.recognised.decisive()) {
    c.basis = "kind";
    c.mismatch = !same_kind(c.declared, c.recognised.kind, rules);
  } else if (declared_markers > 0) {
    c.basis = "markers";
  } else {
    c.basis = "words";
    const auto keys = title_keys(title, rules);
    c.mismatch = !keys.empty() && !title_found(keys, match_words(first_text));
  }
  return c;
}

}  // namespace sot::readability
