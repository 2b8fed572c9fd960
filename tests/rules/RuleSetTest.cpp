#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "core/Manifest.hpp"
#include "rules/RuleSet.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using rules::RulesError;

namespace {
std::string shipped_text() {
  return test::read_file(std::filesystem::path(SOT_SOURCE_DIR) / "rules" / "rules.toml");
}
std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}
std::string error_of(const std::string& text) {
  try {
    rules::load_rules(text, "r.toml");
  } catch (const RulesError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("the shipped rules define every contract code with kk and ru texts", "[rules]") {
  const auto rs = rules::shipped_rules();
  for (auto c : rules::contract_codes()) {
    INFO(c);
    const auto* rule = rs.code(c);
    REQUIRE(rule);
    CHECK_FALSE(rule->message.kk.empty());
    CHECK_FALSE(rule->message.ru.empty());
    CHECK_FALSE(rule->action.kk.empty());
    CHECK_FALSE(rule->basis.ru.empty());
  }
  CHECK(rs.max_file_bytes == 20u << 20);
  CHECK(rs.allowed_formats ==
        std::set<std::string, std::less<>>{"doc", "docx", "jpeg", "pdf", "xlsx"});
}

TEST_CASE("the spec's default severities", "[rules]") {
  const auto rs = rules::shipped_rules();
  const std::vector<std::pair<std::string, Severity>> defaults = {
      {"BUNDLE_MALFORMED", Severity::kReject},
      {"DUPLICATE_FILE", Severity::kReview},
      {"REVOCATION_UNKNOWN", Severity::kReview},
      {"SIGNATURE_ALGORITHM_UNSUPPORTED", Severity::kReview},
      {"SCAN_RESOLUTION_HIGH", Severity::kInfo},
      {"SCAN_SCALE", Severity::kReview},
      {"SCAN_COLOR", Severity::kInfo},
      {"READABILITY_DOUBTFUL", Severity::kReview},
      {"BLANK_PAGE", Severity::kInfo},
      {"FILE_NAME_NOT_DESCRIPTIVE", Severity::kReview},
      {"TITLE_MISMATCH", Severity::kReview},
      {"ATTACHMENT_COUNT_MISMATCH", Severity::kReject},
      {"DEADLINE_PASSED", Severity::kReview},
      {"TEXT_FORMAT", Severity::kInfo},
      {"PROCESSING_FAILED", Severity::kReview},
      {"FILE_TOO_LARGE", Severity::kReject},
  };
  for (const auto& [code, sev] : defaults) {
    INFO(code);
    CHECK(rs.severity(code, "claim") == sev);
  }
}

TEST_CASE("severity can be overridden per filing kind", "[rules]") {
  const auto custom = rules::load_rules(
      replace(shipped_text(), "[codes.DUPLICATE_FILE]\nseverity = \"review\"",
              "[codes.DUPLICATE_FILE]\nseverity = \"review\"\nkinds = { appeal = \"reject\" }"),
      "r.toml");
  CHECK(custom.severity("DUPLICATE_FILE", "appeal") == Severity::kReject);
  CHECK(custom.severity("DUPLICATE_FILE", "claim") == Severity::kReview);
}

TEST_CASE("an undefined code is never a rejection", "[rules]") {
  CHECK(rules::shipped_rules().severity("NO_SUCH_CODE", "claim") == Severity::kReview);
}

TEST_CASE("rules errors name the file, the key and the problem", "[rules]") {
  const auto text = shipped_text();
  CHECK_THAT(error_of(replace(text, "severity = \"reject\"", "severity = \"fatal\"")),
             Catch::StartsWith("r.toml: codes.") && Catch::Contains("reject|review|info"));
  CHECK_THAT(error_of(replace(text, "max_file_bytes = 20971520", "max_file_bytes = -1")),
             Catch::Contains("limits.max_file_bytes: must be positive"));
  CHECK_THAT(error_of(replace(text, "allowed = [\"pdf\"", "allowed = [\"pdfx\"")),
             Catch::Contains("formats.allowed: format 'pdfx'"));
  CHECK_THAT(error_of(replace(text, "[codes.TEXT_FORMAT]", "[codes.TEXT_FORMATX]")),
             Catch::Contains("codes.TEXT_FORMAT: the contract's code is not defined"));
  CHECK_THAT(error_of(replace(text, "duty_kinds = [\"claim\"", "duty_kinds = [\"lawsuit\"")),
             Catch::Contains("payment.duty_kinds: unknown filing kind 'lawsuit'"));
  CHECK_THAT(error_of(replace(text, "months = 3", "months = 0")),
             Catch::Contains("deadlines[0].months: must be positive"));
  CHECK_THAT(error_of(replace(text, "patterns = [", "patterns = ['(unclosed', ")),
             Catch::Contains("file_names.patterns"));
  CHECK_THAT(error_of("version = "), Catch::Contains("line 1"));
  CHECK_THROWS_AS(rules::load_rules_file("/nonexistent/rules.toml"), RulesError);
}

TEST_CASE("file-name patterns match whole stems, case-insensitively", "[rules]") {
  const auto rs = rules::shipped_rules();
  for (const char* bad : {"scan001", "Scan_2024-01-05", "IMG_1234", "IMG-20240105-WA0003",
                          "DSC_0001", "WhatsApp Image 2024-01-05 at 10.15.33", "1", "12345",
                          "документ", "Құжат", "Document1", "копия", "New Microsoft Word Document",
                          "Новый документ Microsoft Word", "Скриншот 2024-01-05"}) {
    INFO(bad);
    CHECK(rs.name_patterns->match(bad));
  }
  for (const char* good : {"Талап арыз", "Шарттың көшірмесі", "Исковое заявление", "Сенімхат",
                           "Документы о праве собственности", "Scan of contract 17"}) {
    INFO(good);
    CHECK_FALSE(rs.name_patterns->match(good));
  }
}

TEST_CASE("readability rules: sampling, thresholds and notice texts are validated", "[rules]") {
  const auto text = shipped_text();
  const auto shipped = rules::load_rules(text, "rules.toml");
  CHECK(shipped.readability.ocr_languages == "kaz+rus+eng");
  CHECK_FALSE(shipped.readability.title_synonyms.empty());
  CHECK(shipped.notice_texts.size() == rules::notice_text_keys().size());
  auto with = [&](const std::string& from, const std::string& to) {
    return rules::load_rules(replace(text, from, to), "rules.toml");
  };
  CHECK(with("ocr_spread_pages = 1 ", "ocr_spread_pages = 0 ").readability.ocr_spread_pages == 0);
  CHECK_THROWS_AS(with("ocr_spread_pages = 1 ", "ocr_spread_pages = -1 "), rules::RulesError);
  CHECK_THROWS_AS(with("ocr_languages = \"kaz+rus+eng\"", "ocr_languages = \"kaz; rm -rf\""),
                  rules::RulesError);
  CHECK_THROWS_AS(with("unreadable_mean_confidence = 40", "unreadable_mean_confidence = 90"),
                  rules::RulesError);
  CHECK_THROWS_AS(with("notice_title = {", "notice_title_x = {"), rules::RulesError);
  // How far OCR reads before the verdict is certain: 0 reads on to the end.
  CHECK(shipped.readability.band_lines == 5);
  CHECK(shipped.readability.band_title_lines == 6);
  CHECK(shipped.readability.probe_lines == 4);
  CHECK(with("band_lines = 5 ", "band_lines = 0 ").readability.band_lines == 0);
  CHECK_THROWS_AS(with("band_lines = 5 ", "band_lines = -1 "), rules::RulesError);
  CHECK_THROWS_AS(with("probe_lines = 4 ", "probe_lines = \"four\" "), rules::RulesError);
}

TEST_CASE("the shipped rules keep the spec's default severities, for every kind", "[rules]") {
  // ../shared/spec/bundle-format.md §3, the table of default codes. Deviations belong in a
  // court's own rules copy (README), never in the shipped defaults.
  using S = sot::Severity;
  const std::map<std::string, S> spec = {{"BUNDLE_MALFORMED", S::kReject},
                                         {"FILE_MISSING", S::kReject},
                                         {"FILE_UNLISTED", S::kReject},
                                         {"DIGEST_MISMATCH", S::kReject},
                                         {"DUPLICATE_FILE", S::kReview},
                                         {"SIGNATURE_MISSING", S::kReject},
                                         {"SIGNATURE_INVALID", S::kReject},
                                         {"CERT_UNTRUSTED", S::kReject},
                                         {"CERT_EXPIRED", S::kReject},
                                         {"CERT_REVOKED", S::kReject},
                                         {"CERT_KEY_USAGE", S::kReject},
                                         {"REVOCATION_UNKNOWN", S::kReview},
                                         {"SIGNATURE_ALGORITHM_UNSUPPORTED", S::kReview},
                                         {"SIGNER_MISMATCH", S::kReject},
                                         {"FILER_ID_INVALID", S::kReject},
                                         {"FORMAT_NOT_ALLOWED", S::kReject},
                                         {"FORMAT_MISMATCH", S::kReject},
                                         {"FILE_CORRUPT", S::kReject},
                                         {"FILE_ENCRYPTED", S::kReject},
                                         {"ACTIVE_CONTENT", S::kReject},
                                         {"FILE_EMPTY", S::kReject},
                                         {"FILE_TOO_LARGE", S::kReject},
                                         {"BUNDLE_TOO_LARGE", S::kReject},
                                         {"SCAN_RESOLUTION_LOW", S::kReject},
                                         {"SCAN_RESOLUTION_HIGH", S::kInfo},
                                         {"SCAN_SCALE", S::kReview},
                                         {"SCAN_COLOR", S::kInfo},
                                         {"UNREADABLE", S::kReject},
                                         {"READABILITY_DOUBTFUL", S::kReview},
                                         {"DOCUMENT_BLANK", S::kReject},
                                         {"BLANK_PAGE", S::kInfo},
                                         {"FILE_NAME_NOT_DESCRIPTIVE", S::kReview},
                                         {"TITLE_MISMATCH", S::kReview},
                                         {"ATTACHMENT_COUNT_MISMATCH", S::kReject},
                                         {"PAYMENT_MISSING", S::kReject},
                                         {"DEADLINE_PASSED", S::kReview},
                                         {"TEXT_FORMAT", S::kInfo},
                                         {"PROCESSING_FAILED", S::kReview}};
  const auto rules = sot::rules::shipped_rules();
  for (const auto& [code, severity] : spec) {
    INFO(code);
    const auto* rule = rules.code(code);
    REQUIRE(rule);
    CHECK(rule->severity == severity);
    CHECK(rule->by_kind.empty());
    for (const char* kind : {"claim", "letter", "appeal", "new_circumstances", "petition"})
      CHECK(rules.severity(code, kind) == severity);
  }
}
