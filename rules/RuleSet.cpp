#include "rules/RuleSet.hpp"

#include <toml++/toml.h>
#include <boost/regex/icu.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/Manifest.hpp"
#include "core/Text.hpp"

namespace sot::embedded {
extern const std::string_view kShippedRules;
}

namespace sot::rules {

namespace {

const std::vector<std::string_view> kContractCodes = {"BUNDLE_MALFORMED",
                                                      "FILE_MISSING",
                                                      "FILE_UNLISTED",
                                                      "DIGEST_MISMATCH",
                                                      "DUPLICATE_FILE",
                                                      "SIGNATURE_MISSING",
                                                      "SIGNATURE_INVALID",
                                                      "CERT_UNTRUSTED",
                                                      "CERT_EXPIRED",
                                                      "CERT_REVOKED",
                                                      "CERT_KEY_USAGE",
                                                      "REVOCATION_UNKNOWN",
                                                      "SIGNATURE_ALGORITHM_UNSUPPORTED",
                                                      "SIGNER_MISMATCH",
                                                      "FILER_ID_INVALID",
                                                      "FORMAT_NOT_ALLOWED",
                                                      "FORMAT_MISMATCH",
                                                      "FILE_CORRUPT",
                                                      "FILE_ENCRYPTED",
                                                      "ACTIVE_CONTENT",
                                                      "FILE_EMPTY",
                                                      "FILE_TOO_LARGE",
                                                      "BUNDLE_TOO_LARGE",
                                                      "SCAN_RESOLUTION_LOW",
                                                      "SCAN_RESOLUTION_HIGH",
                                                      "SCAN_SCALE",
                                                      "SCAN_COLOR",
                                                      "UNREADABLE",
                                                      "READABILITY_DOUBTFUL",
                                                      "DOCUMENT_BLANK",
                                                      "BLANK_PAGE",
                                                      "FILE_NAME_NOT_DESCRIPTIVE",
                                                      "TITLE_MISMATCH",
                                                      "ATTACHMENT_COUNT_MISMATCH",
                                                      "PAYMENT_MISSING",
                                                      "DEADLINE_PASSED",
                                                      "TEXT_FORMAT",
                                                      "PROCESSING_FAILED"};

const std::vector<std::string_view> kNoticeKeys = {
    "notice_title",    "receipt_title", "court",
    "submission_id",   "bundle",        "date",
    "filer",           "kind",          "reason",
    "where",           "page",          "requirement",
    "what_to_do",      "closing",       "registration_number",
    "registered_at",   "documents",     "sha256",
    "receipt_closing", "generated",     "status_received",
    "status_checking", "status_review", "status_registered",
    "status_rejected"};

const std::vector<std::string_view> kDateFields = {"circumstances_established_on"};

class Loader {
 public:
  Loader(const toml::table& root, std::string source) : root_(root), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what,
                         const toml::node* at = nullptr) const {
    std::string where;
    if (at && at->source().begin.line > 0)
      where = " (line " + std::to_string(at->source().begin.line) + ")";
    throw RulesError(source_, key, what + where);
  }

  std::string string_at(const toml::node* n, const std::string& key, bool required = true) const {
    if (!n) {
      if (required) fail(key, "missing");
      return {};
    }
    if (!n->is_string()) fail(key, "expected a string", n);
    return n->as_string()->get();
  }

  LocalText local_text(const toml::node* n, const std::string& key, bool required) const {
    if (!n) {
      if (required) fail(key, "missing (a table with kk and ru texts)");
      return {};
    }
    const toml::table* t = n->as_table();
    if (!t) fail(key, "expected a table { kk = \"…\", ru = \"…\" }", n);
    LocalText out{string_at(t->get("kk"), key + ".kk"), string_at(t->get("ru"), key + ".ru")};
    if (out.kk.empty() || out.ru.empty()) fail(key, "kk and ru texts must not be empty", n);
    if (!text::is_valid_utf8(out.kk) || !text::is_valid_utf8(out.ru))
      fail(key, "text is not valid UTF-8", n);
    return out;
  }

  Severity severity_at(const toml::node* n, const std::string& key) const {
    const std::string s = string_at(n, key);
    auto sev = severity_from_string(s);
    if (!sev) fail(key, "expected one of reject|review|info, got '" + s + "'", n);
    return *sev;
  }

  std::uint64_t positive_at(const toml::node* n, const std::string& key) const {
    if (!n) fail(key, "missing");
    if (!n->is_integer()) fail(key, "expected a whole number", n);
    const int64_t v = n->as_integer()->get();
    if (v <= 0) fail(key, "must be positive", n);
    return static_cast<std::uint64_t>(v);
  }

  // A positive number (integer or float) not above `max`.
  double fraction_at(const toml::node* n, const std::string& key, double max = 1.0) const {
    if (!n) fail(key, "missing");
    double v = 0;
    if (n->is_integer()) {
      v = static_cast<double>(n->as_integer()->get());
    } else if (n->is_floating_point()) {
      v = n->as_floating_point()->get();
    } else {
      fail(key, "expected a number", n);
    }
    if (!(v > 0) || v > max) fail(key, "must be above 0 and at most " + std::to_string(max), n);
    return v;
  }

  std::vector<std::string> strings_at(const toml::node* n, const std::string& key) const {
    if (!n) fail(key, "missing");
    const toml::array* a = n->as_array();
    if (!a) fail(key, "expected an array of strings", n);
    std::vector<std::string> out;
    for (size_t i = 0; i < a->size(); ++i)
      out.push_back(string_at(a->get(i), key + "[" + std::to_string(i) + "]"));
    return out;
  }

  void check_kind(const std::string& kind, const std::string& key, const toml::node* n) const {
    if (!is_known_kind(kind)) fail(key, "unknown filing kind '" + kind + "'", n);
  }

  RuleSet load() const {
    RuleSet rs;
    rs.source = source_;
    rs.version = string_at(root_.get("version"), "version");
    if (rs.version.empty()) fail("version", "must not be empty");

    const toml::table* codes = root_.get_as<toml::table>("codes");
    if (!codes) fail("codes", "missing table [codes]");
    for (const auto& [name, node] : *codes) {
      const std::string code(name.str());
      const std::string key = "codes." + code;
      if (code.empty() || !std::all_of(code.begin(), code.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
          }))
        fail(key, "a code is UPPER_SNAKE_CASE", &node);
      const toml::table* t = node.as_table();
      if (!t) fail(key, "expected a table", &node);
      CodeRule rule;
      rule.severity = severity_at(t->get("severity"), key + ".severity");
      if (const toml::node* k = t->get("kinds")) {
        const toml::table* kt = k->as_table();
        if (!kt) fail(key + ".kinds", "expected a table kind = severity", k);
        for (const auto& [kind, sev] : *kt) {
          const std::string kkey = key + ".kinds." + std::string(kind.str());
          check_kind(std::string(kind.str()), kkey, &sev);
          rule.by_kind.emplace(std::string(kind.str()), severity_at(&sev, kkey));
        }
      }
      rule.message = local_text(t->get("message"), key + ".message", true);
      rule.action = local_text(t->get("action"), key + ".action", false);
      rule.basis = local_text(t->get("basis"), key + ".basis", false);
      rs.codes.emplace(code, std::move(rule));
    }
    for (auto c : kContractCodes)
      if (!rs.codes.count(c)) fail("codes." + std::string(c), "the contract's code is not defined");

    const toml::table* limits = root_.get_as<toml::table>("limits");
    if (!limits) fail("limits", "missing table [limits]");
    rs.max_file_bytes = positive_at(limits->get("max_file_bytes"), "limits.max_file_bytes");
    rs.max_bundle_bytes = positive_at(limits->get("max_bundle_bytes"), "limits.max_bundle_bytes");
    if (const toml::node* zb = limits->get("zip_bomb")) {
      rs.zip_bomb_code = string_at(zb, "limits.zip_bomb");
      if (rs.zip_bomb_code != "FILE_CORRUPT" && rs.zip_bomb_code != "PROCESSING_FAILED")
        fail("limits.zip_bomb", "expected FILE_CORRUPT or PROCESSING_FAILED", zb);
    }
    if (rs.max_bundle_bytes < rs.max_file_bytes)
      fail("limits.max_bundle_bytes", "smaller than limits.max_file_bytes");

    const toml::table* formats = root_.get_as<toml::table>("formats");
    if (!formats) fail("formats", "missing table [formats]");
    const toml::table* exts = formats->get_as<toml::table>("extensions");
    if (!exts) fail("formats.extensions", "missing table format = [extensions]");
    for (const auto& [fmt, list] : *exts) {
      const std::string key = "formats.extensions." + std::string(fmt.str());
      auto v = strings_at(&list, key);
      for (auto& e : v) {
        if (e.empty() || e.front() == '.')
          fail(key, "extensions are written without the dot", &list);
        std::transform(e.begin(), e.end(), e.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
      rs.format_extensions.emplace(std::string(fmt.str()), std::move(v));
    }
    for (auto& f : strings_at(formats->get("allowed"), "formats.allowed")) {
      if (!rs.format_extensions.count(f))
        fail("formats.allowed", "format '" + f + "' has no entry in [formats.extensions]");
      rs.allowed_formats.insert(f);
    }
    if (rs.allowed_formats.empty()) fail("formats.allowed", "must not be empty");

    const toml::table* names = root_.get_as<toml::table>("file_names");
    if (!names) fail("file_names", "missing table [file_names]");
    const auto patterns = strings_at(names->get("patterns"), "file_names.patterns");
    try {
      rs.name_patterns = std::make_shared<NamePatterns>(patterns);
    } catch (const std::exception& e) {
      fail("file_names.patterns", e.what(), names->get("patterns"));
    }

    const toml::table* pay = root_.get_as<toml::table>("payment");
    if (!pay) fail("payment", "missing table [payment]");
    for (auto& k : strings_at(pay->get("duty_kinds"), "payment.duty_kinds")) {
      check_kind(k, "payment.duty_kinds", pay->get("duty_kinds"));
      rs.duty_kinds.insert(k);
    }
    for (auto& p : strings_at(pay->get("duty_proceedings"), "payment.duty_proceedings")) {
      if (!is_known_proceeding(p))
        fail("payment.duty_proceedings", "unknown proceeding '" + p + "'",
             pay->get("duty_proceedings"));
      rs.duty_proceedings.insert(p);
    }

    const toml::table* scan = root_.get_as<toml::table>("scan");
    if (!scan) fail("scan", "missing table [scan]");
    rs.scan.min_dpi = static_cast<long>(positive_at(scan->get("min_dpi"), "scan.min_dpi"));
    rs.scan.max_dpi = static_cast<long>(positive_at(scan->get("max_dpi"), "scan.max_dpi"));
    if (rs.scan.max_dpi < rs.scan.min_dpi) fail("scan.max_dpi", "smaller than scan.min_dpi");
    rs.scan.scale_tolerance = fraction_at(scan->get("scale_tolerance"), "scan.scale_tolerance");
    if (const toml::node* lr = scan->get("low_resolution_readable")) {
      const std::string v = string_at(lr, "scan.low_resolution_readable");
      if (v == "review")
        rs.scan.low_resolution_readable = Severity::kReview;
      else if (v == "reject")
        rs.scan.low_resolution_readable = Severity::kReject;
      else
        fail("scan.low_resolution_readable", "expected \"review\" or \"reject\"", lr);
    }

    const toml::table* tf = root_.get_as<toml::table>("text_format");
    if (!tf) fail("text_format", "missing table [text_format]");
    rs.text_format.font = string_at(tf->get("font"), "text_format.font");
    if (rs.text_format.font.empty()) fail("text_format.font", "must not be empty");
    rs.text_format.size_pt = fraction_at(tf->get("size_pt"), "text_format.size_pt", 200);
    if (tf->get("font_equivalents"))
      rs.text_format.font_equivalents =
          strings_at(tf->get("font_equivalents"), "text_format.font_equivalents");

    load_readability(rs.readability);

    const toml::table* notices = root_.get_as<toml::table>("notices");
    if (!notices) fail("notices", "missing table [notices]");
    for (auto k : kNoticeKeys) {
      const std::string key(k);
      rs.notice_texts[key] = local_text(notices->get(key), "notices." + key, true);
    }

    if (const toml::table* rsub = root_.get_as<toml::table>("resubmission")) {
      if (const toml::node* n = rsub->get("cure_window_days")) {
        const auto v = n->value<std::int64_t>();
        if (!v || *v < 0 || *v > 3650)
          fail("resubmission.cure_window_days", "expected a whole number of days from 0 to 3650",
               n);
        rs.cure_window_days = static_cast<int>(*v);
      }
    } else if (root_.get("resubmission")) {
      fail("resubmission", "expected a table [resubmission]", root_.get("resubmission"));
    }

    if (const toml::node* dn = root_.get("deadlines")) {
      const toml::array* arr = dn->as_array();
      if (!arr) fail("deadlines", "expected an array of tables [[deadlines]]", dn);
      for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = "deadlines[" + std::to_string(i) + "]";
        const toml::table* t = arr->get(i)->as_table();
        if (!t) fail(key, "expected a table", arr->get(i));
        Deadline d;
        d.kind = string_at(t->get("kind"), key + ".kind");
        check_kind(d.kind, key + ".kind", t->get("kind"));
        if (t->get("proceedings")) {
          d.proceedings = strings_at(t->get("proceedings"), key + ".proceedings");
          for (auto& p : d.proceedings)
            if (!is_known_proceeding(p))
              fail(key + ".proceedings", "unknown proceeding '" + p + "'", t->get("proceedings"));
        }
        d.from = string_at(t->get("from"), key + ".from");
        if (std::find(kDateFields.begin(), kDateFields.end(), d.from) == kDateFields.end())
          fail(key + ".from", "not a date field of the manifest: '" + d.from + "'", t->get("from"));
        d.months = static_cast<int>(positive_at(t->get("months"), key + ".months"));
        d.basis = local_text(t->get("basis"), key + ".basis", true);
        rs.deadlines.push_back(std::move(d));
      }
    }
    return rs;
  }

 private:
  void load_readability(ReadabilityRules& r) const {
    const toml::table* t = root_.get_as<toml::table>("readability");
    if (!t) fail("readability", "missing table [readability]");
    auto whole = [&](const char* k) {
      return static_cast<long>(positive_at(t->get(k), std::string("readability.") + k));
    };
    auto share = [&](const char* k) {
      return fraction_at(t->get(k), std::string("readability.") + k);
    };
    auto conf = [&](const char* k) {
      return fraction_at(t->get(k), std::string("readability.") + k, 100);
    };
    r.ocr_languages = string_at(t->get("ocr_languages"), "readability.ocr_languages");
    static const boost::regex langs("[a-z_]{3,10}(\\+[a-z_]{3,10})*");
    if (!boost::regex_match(r.ocr_languages, langs))
      fail("readability.ocr_languages", "expected Tesseract language codes like kaz+rus+eng",
           t->get("ocr_languages"));
    r.ocr_dpi = whole("ocr_dpi");
    if (r.ocr_dpi < 100 || r.ocr_dpi > 600) fail("readability.ocr_dpi", "must be 100..600");
    r.blank_max_ink = share("blank_max_ink");
    r.blank_max_marks = whole("blank_max_marks");
    r.sparse_max_marks = whole("sparse_max_marks");
    r.ocr_first_pages = whole("ocr_first_pages");
    r.ocr_last_pages = whole("ocr_last_pages");
    {  // 0: no pages spread over the middle
      const toml::node* n = t->get("ocr_spread_pages");
      if (!n || !n->is_integer() || n->as_integer()->get() < 0 || n->as_integer()->get() > 1000)
        fail("readability.ocr_spread_pages", "expected a whole number 0..1000", n);
      r.ocr_spread_pages = static_cast<long>(n->as_integer()->get());
    }
    r.page_time_limit_ms = whole("page_time_limit_ms");
    r.osd_min_confidence = whole("osd_min_confidence");
    r.word_confidence = whole("word_confidence");
    if (r.word_confidence > 100) fail("readability.word_confidence", "must be 1..100");
    r.readable_mean_confidence = conf("readable_mean_confidence");
    r.readable_confident_share = share("readable_confident_share");
    r.unreadable_mean_confidence = conf("unreadable_mean_confidence");
    r.unreadable_confident_share = share("unreadable_confident_share");
    if (r.unreadable_mean_confidence > r.readable_mean_confidence)
      fail("readability.unreadable_mean_confidence", "above readable_mean_confidence");
    if (r.unreadable_confident_share > r.readable_confident_share)
      fail("readability.unreadable_confident_share", "above readable_confident_share");
    r.min_words = whole("min_words");
    r.text_min_plausible_share = share("text_min_plausible_share");
    r.text_min_common_share = share("text_min_common_share");
    r.text_max_mojibake_share = share("text_max_mojibake_share");
    r.title_pages = whole("title_pages");
    r.title_min_words = whole("title_min_words");
    auto folded = [&](const char* k) {
      std::set<std::string, std::less<>> out;
      for (auto& w : strings_at(t->get(k), std::string("readability.") + k))
        out.insert(text::fold_case(w));
      return out;
    };
    r.common_words = folded("common_words");
    r.title_ignore_words = folded("title_ignore_words");
    if (const toml::node* syn = t->get("title_synonyms")) {
      const toml::array* arr = syn->as_array();
      if (!arr) fail("readability.title_synonyms", "expected an array of arrays", syn);
      for (size_t i = 0; i < arr->size(); ++i) {
        auto group =
            strings_at(arr->get(i), "readability.title_synonyms[" + std::to_string(i) + "]");
        if (group.size() < 2)
          fail("readability.title_synonyms", "a group needs at least two phrases", arr->get(i));
        r.title_synonyms.push_back(std::move(group));
      }
    }
    if (t->get("ocr_band_share")) {
      r.ocr_band_share = share("ocr_band_share");
      if (r.ocr_band_share < 0.1) fail("readability.ocr_band_share", "must be 0.1..1");
    }
    if (t->get("band_min_words")) r.band_min_words = whole("band_min_words");
    if (t->get("band_readable_mean_confidence"))
      r.band_readable_mean_confidence = conf("band_readable_mean_confidence");
    if (t->get("band_readable_confident_share"))
      r.band_readable_confident_share = share("band_readable_confident_share");
    for (auto [key, field] : {std::pair{"band_lines", &r.band_lines},
                              std::pair{"band_title_lines", &r.band_title_lines},
                              std::pair{"probe_lines", &r.probe_lines},
                              std::pair{"probe_min_words", &r.probe_min_words}})
      if (const toml::node* n = t->get(key)) {
        const auto v = n->is_integer() ? n->as_integer()->get() : -1;
        if (v < 0 || v > 1000) fail(std::string("readability.") + key, "must be 0..1000", n);
        *field = static_cast<long>(v);
      }
    if (t->get("kind_heading_lines")) r.kind_heading_lines = whole("kind_heading_lines");
    if (t->get("kind_min_markers")) r.kind_min_markers = whole("kind_min_markers");
    if (const toml::node* kn = t->get("kinds")) {
      const toml::array* arr = kn->as_array();
      if (!arr) fail("readability.kinds", "expected an array of tables [[readability.kinds]]", kn);
      for (size_t i = 0; i < arr->size(); ++i) {
        const std::string at = "readability.kinds[" + std::to_string(i) + "]";
        const toml::table* k = arr->get(i)->as_table();
        if (!k) fail(at, "expected a table", arr->get(i));
        DocumentKindRule rule;
        rule.kind = string_at(k->get("kind"), at + ".kind");
        if (rule.kind.empty()) fail(at + ".kind", "must not be empty");
        if (k->get("is_a")) rule.is_a = string_at(k->get("is_a"), at + ".is_a");
        rule.names = strings_at(k->get("names"), at + ".names");
        if (rule.names.empty()) fail(at + ".names", "a kind needs at least one name");
        if (k->get("markers")) rule.markers = strings_at(k->get("markers"), at + ".markers");
        for (const auto& other : r.kinds)
          if (other.kind == rule.kind) fail(at + ".kind", "'" + rule.kind + "' is listed twice");
        r.kinds.push_back(std::move(rule));
      }
      for (const auto& k : r.kinds) {
        if (k.is_a.empty()) continue;
        if (std::none_of(r.kinds.begin(), r.kinds.end(),
                         [&](const DocumentKindRule& o) { return o.kind == k.is_a; }))
          fail("readability.kinds", "kind '" + k.kind + "' is_a '" + k.is_a + "', not a kind");
      }
    }
  }

  const toml::table& root_;
  std::string source_;
};

}  // namespace

const std::vector<std::string_view>& notice_text_keys() {
  return kNoticeKeys;
}

const std::vector<std::string_view>& contract_codes() {
  return kContractCodes;
}

const CodeRule* RuleSet::code(std::string_view c) const {
  auto it = codes.find(c);
  return it == codes.end() ? nullptr : &it->second;
}

Severity RuleSet::severity(std::string_view c, std::string_view kind) const {
  const CodeRule* r = code(c);
  if (!r) return Severity::kReview;
  if (auto it = r->by_kind.find(kind); it != r->by_kind.end()) return it->second;
  return r->severity;
}

const std::vector<std::string>* RuleSet::extensions_of(std::string_view format) const {
  auto it = format_extensions.find(format);
  return it == format_extensions.end() ? nullptr : &it->second;
}

struct NamePatterns::Impl {
  std::vector<std::pair<std::string, boost::u32regex>> compiled;
};

NamePatterns::NamePatterns(const std::vector<std::string>& patterns) : impl_(new Impl) {
  for (const auto& p : patterns) {
    try {
      impl_->compiled.emplace_back(
          p, boost::make_u32regex(p, boost::regex::perl | boost::regex::icase));
    } catch (const std::exception& e) {
      throw std::runtime_error("pattern '" + p + "' does not compile: " + e.what());
    }
  }
}
NamePatterns::~NamePatterns() = default;
size_t NamePatterns::size() const {
  return impl_->compiled.size();
}

std::optional<std::string> NamePatterns::match(std::string_view stem) const {
  const std::string folded = text::fold_case(text::nfc(stem));
  for (const auto& [source, re] : impl_->compiled) {
    if (boost::u32regex_match(folded.begin(), folded.end(), re)) return source;
  }
  return std::nullopt;
}

RuleSet load_rules(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw RulesError(source, "",
                     std::string(e.description()) + " (line " +
                         std::to_string(e.source().begin.line) + ", column " +
                         std::to_string(e.source().begin.column) + ")");
  }
  RuleSet rs = Loader(root, source).load();
  rs.text = std::string(text);
  return rs;
}

RuleSet load_rules_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RulesError(path.string(), "", "cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_rules(ss.str(), path.string());
}

RuleSet shipped_rules() {
  return load_rules(embedded::kShippedRules, "rules/rules.toml (shipped)");
}

}  // namespace sot::rules
