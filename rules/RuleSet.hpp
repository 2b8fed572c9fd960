// The rules: what each finding code means for the outcome, and the thresholds the stages
// apply. Loaded from TOML (rules/rules.toml ships as the default, compiled into the binary).
//
// Keys: version; [codes.<CODE>] severity, kinds.<kind> (per-kind severity), message/action/
// basis (kk, ru); [limits] max_file_bytes, max_bundle_bytes; [formats] allowed, extensions.*;
// [file_names] patterns; [payment] duty_kinds, duty_proceedings; [[deadlines]] kind,
// proceedings, from, months, basis; [scan] min_dpi, max_dpi, scale_tolerance;
// [text_format] font, size_pt, font_equivalents; [readability] (see ReadabilityRules). Validation
// is complete at load: a rules file that loads is one every stage can use; any problem is a
// RulesError naming the file, key and reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/Finding.hpp"

namespace sot::rules {

struct LocalText {
  std::string kk;
  std::string ru;
};

struct CodeRule {
  Severity severity = Severity::kReject;
  std::map<std::string, Severity, std::less<>> by_kind;
  LocalText message;  // what is wrong; {file}, {page} and detail keys are substituted
  LocalText action;   // what the filer should do
  LocalText basis;    // the requirement it breaks
};

struct Deadline {
  std::string kind;
  std::vector<std::string> proceedings;  // empty: all
  std::string from;                      // a manifest date field
  int months = 0;
  LocalText basis;
};

class NamePatterns;  // compiled file-name patterns (Boost.Regex over Unicode)

struct ScanRules {
  long min_dpi = 200;
  long max_dpi = 300;
  double scale_tolerance = 0.05;  // relative size difference from the nearest standard sheet
  // SCAN_RESOLUTION_LOW on a page that still reads clearly: review (a clerk confirms) or
  // reject (the letter of the rule).
  Severity low_resolution_readable = Severity::kReview;
};

struct TextFormatRules {
  std::string font = "Times New Roman";
  double size_pt = 14;
  // Fonts accepted as the same face (metric-compatible equivalents); names are compared by
  // family: case, spaces, a subset tag and style suffixes (-Bold, ,Italic, PSMT) ignored.
  std::vector<std::string> font_equivalents;
};

// A kind of document the recogniser knows (rules [[readability.kinds]]): how a title or a
// heading names it, and phrases its text typically contains (kk and ru).
struct DocumentKindRule {
  std::string kind;                // "claim", "decision", "power_of_attorney", …
  std::string is_a;                // a broader kind this one is a case of ("" for none)
  std::vector<std::string> names;  // "талап арыз", "исковое заявление", …
  std::vector<std::string> markers;  // "прошу суд", "сотыңыздан сұраймын", …
};

// Readability (rules [readability]): when a page counts as blank, which pages are OCR'd, the
// confidence thresholds of the readable / doubtful / unreadable decision, what plausible text
// is, and the title check's synonyms.
struct ReadabilityRules {
  std::string ocr_languages = "kaz+rus+eng";
  long ocr_dpi = 200;               // pages are rendered (or scaled down) to this for OCR
  double blank_max_ink = 0.0004;    // share of the page that is ink after despeckle
  long blank_max_marks = 2;         // ink blobs of glyph size a blank page may still have
  long sparse_max_marks = 30;       // fewer blobs and no words: a stamp or a signature only
  long ocr_first_pages = 1;         // OCR sampling of long documents: the first pages,
  long ocr_last_pages = 1;          // the last ones
  long ocr_spread_pages = 1;        // and this many spread over the rest
  long page_time_limit_ms = 30000;  // OCR of one page (exceeded: PROCESSING_FAILED)
  long osd_min_confidence = 5;  // a badly read page is re-read turned only when OSD is this sure
  long word_confidence = 70;    // a word at or above this confidence is confident
  double readable_mean_confidence = 70;
  double readable_confident_share = 0.6;
  double unreadable_mean_confidence = 45;
  double unreadable_confident_share = 0.25;
  long min_words = 3;                     // fewer recognised words on a page with text ink
  double text_min_plausible_share = 0.6;  // text layer: share of plausible words
  double text_min_common_share = 0.02;    // … and of common words (texts of 40+ words)
  double text_max_mojibake_share = 0.2;   // Latin-1 soup, private-use, replacement glyphs
  long title_pages = 2;                   // the title is looked for on these first pages
  long title_min_words = 8;               // fewer readable words there: the title is not checked
  std::set<std::string, std::less<>> common_words;        // case-folded
  std::set<std::string, std::less<>> title_ignore_words;  // "көшірмесі", "копия", …
  std::vector<std::vector<std::string>> title_synonyms;   // groups of equivalent phrases
  // The top band read first: when it alone reads this well (and the ink shows no damage),
  // the page is readable without reading the rest (1.0: always the whole page).
  double ocr_band_share = 0.4;
  long band_min_words = 25;
  double band_readable_mean_confidence = 85;
  double band_readable_confident_share = 0.85;
  // Reading stops early when the verdict is certain: the band after this many text lines (on
  // the title pages after band_title_lines, re-read whole when the title does not match), and
  // a page whose ink looks blurred after probe_lines when their probe_min_words or more words
  // already read as unreadable (0: no limit).
  long band_lines = 5;
  long band_title_lines = 6;
  long probe_lines = 4;
  long probe_min_words = 12;
  long kind_heading_lines = 30;  // a document names itself within its first lines
  long kind_min_markers = 3;     // without a heading: this many distinct markers to recognise
  std::vector<DocumentKindRule> kinds;
};

struct RuleSet {
  std::string version;
  std::string source;  // file the rules came from (for messages)
  std::string text;    // the TOML they were loaded from (handed to worker processes as is)
  std::map<std::string, CodeRule, std::less<>> codes;

  std::uint64_t max_file_bytes = 20ull << 20;
  std::uint64_t max_bundle_bytes = 100ull << 20;
  // The code for an office file whose ZIP container is a zip bomb: FILE_CORRUPT (the filer's
  // file) or PROCESSING_FAILED (a clerk looks).
  std::string zip_bomb_code = "FILE_CORRUPT";

  std::set<std::string, std::less<>> allowed_formats;
  std::map<std::string, std::vector<std::string>, std::less<>> format_extensions;

  std::shared_ptr<const NamePatterns> name_patterns;

  std::set<std::string, std::less<>> duty_kinds;
  std::set<std::string, std::less<>> duty_proceedings;

  std::vector<Deadline> deadlines;
  // [resubmission] cure_window_days: a resubmission arriving within this many days of the
  // refusal has its deadline counted from the refused filing's submitted_at (spec §5.2).
  int cure_window_days = 7;

  ScanRules scan;
  TextFormatRules text_format;
  ReadabilityRules readability;
  // Texts of the rejection notice and the receipt ([notices]: key → kk, ru); see
  // notice_text_keys().
  std::map<std::string, LocalText, std::less<>> notice_texts;

  const CodeRule* code(std::string_view c) const;
  // Severity of `code` for a filing of `kind` ("" when unknown); an undefined code is an
  // internal error and is treated as review, never as a rejection of the filer.
  Severity severity(std::string_view code, std::string_view kind) const;
  // The extensions (lower case, no dot) that name `format`.
  const std::vector<std::string>* extensions_of(std::string_view format) const;
};

class NamePatterns {
 public:
  // Throws std::runtime_error naming the pattern that does not compile.
  explicit NamePatterns(const std::vector<std::string>& patterns);
  ~NamePatterns();
  // The pattern that matches the whole of `stem` (NFC, case-insensitive), if any.
  std::optional<std::string> match(std::string_view stem) const;
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class RulesError : public std::runtime_error {
 public:
  RulesError(const std::string& source, const std::string& key, const std::string& what)
      : std::runtime_error(source + (key.empty() ? "" : ": " + key) + ": " + what) {}
};

// The keys [notices] must define.
const std::vector<std::string_view>& notice_text_keys();

// The finding codes of the contract (spec §3), each of which a rules file must define.
const std::vector<std::string_view>& contract_codes();

RuleSet load_rules(std::string_view toml_text, const std::string& source);
RuleSet load_rules_file(const std::filesystem::path& path);
// The rules shipped in rules/rules.toml, compiled in.
RuleSet shipped_rules();

}  // namespace sot::rules
