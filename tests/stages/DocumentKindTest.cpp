// The document-kind recogniser and the title check built on it: kinds recognised from their
// headings and markers in Kazakh and Russian, titles compared by kind, legitimate synonyms
// never a mismatch, and TITLE_MISMATCH through the pipeline with its evidence.
#include <catch2/catch.hpp>

#include "generator/DocumentKinds.hpp"
#include "generator/Documents.hpp"
#include "readability/DocumentKind.hpp"
#include "rules/RuleSet.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

namespace {

const rules::ReadabilityRules& rr() {
  static const rules::RuleSet rs = rules::shipped_rules();
  return rs.readability;
}

std::string text_of(const samples::KindSample& s) {
  std::string t = s.heading + "\n";
  for (const auto& p : s.paragraphs) t += p + "\n";
  return t;
}

const samples::KindSample& sample(const std::string& name) {
  static const auto set = samples::kind_calibration_set();
  for (const auto& s : set)
    if (s.name == name) return s;
  FAIL("no kind sample " << name);
  throw;
}

}  // namespace

TEST_CASE("every kind is recognised from its heading, in both languages", "[kinds]") {
  for (const auto& s : samples::kind_calibration_set()) {
    if (s.variant == "no-heading") continue;
    INFO(s.name);
    const auto r = readability::recognise_kind(text_of(s), rr());
    CHECK(r.kind == s.kind);
    CHECK(r.decisive());
  }
}

TEST_CASE("a heading under an address block or a copy mark still names the document", "[kinds]") {
  const auto r = readability::recognise_kind(text_of(sample("claim-ru-address-block")), rr());
  CHECK(r.kind == "claim");
  CHECK(r.heading == "ИСКОВОЕ ЗАЯВЛЕНИЕ");
  CHECK(r.confidence == "high");
  const auto copy = readability::recognise_kind(text_of(sample("decision-kk-copy")), rr());
  CHECK(copy.kind == "decision");
  CHECK(copy.heading == "ШЕШІМ");
}

TEST_CASE("without a heading only several markers and a clear lead recognise a kind", "[kinds]") {
  // A power of attorney's body says what it is three times over.
  const auto poa =
      readability::recognise_kind(text_of(sample("power_of_attorney-ru-no-heading")), rr());
  CHECK(poa.kind == "power_of_attorney");
  CHECK(poa.confidence == "low");
  CHECK_FALSE(poa.decisive());  // markers alone never make a title wrong
  // A text that names nothing is no kind.
  CHECK(readability::recognise_kind("Мен бүгін дүкенге бардым да нан сатып алдым.", rr())
            .kind.empty());
}

TEST_CASE("the kind a title names: the most specific name, Kazakh head noun last", "[kinds]") {
  using readability::declared_kind;
  CHECK(declared_kind("Сот шешімінің көшірмесі", rr()) == "decision");
  CHECK(declared_kind("Копия решения суда", rr()) == "decision");
  CHECK(declared_kind("Исковое заявление", rr()) == "claim");
  CHECK(declared_kind("Заявление", rr()) == "application");
  CHECK(declared_kind("Апелляциялық шағым", rr()) == "appeal");
  CHECK(declared_kind("Қарыз шарты", rr()) == "contract");
  CHECK(declared_kind("Заявление о выдаче копии решения", rr()) == "application");
  CHECK(declared_kind("Хаттама", rr()) == "protocol");  // not "хат", a letter
  CHECK(declared_kind("Ахметовтың түсініктемесі", rr()).empty());
  CHECK(readability::same_kind("claim", "application", rr()));
  CHECK(readability::same_kind("appeal", "complaint", rr()));
  CHECK_FALSE(readability::same_kind("claim", "decision", rr()));
}

TEST_CASE("legitimate titles are never a mismatch — swapped kinds are", "[kinds]") {
  for (const auto& s : samples::kind_calibration_set()) {
    INFO(s.name);
    for (const auto& t : s.titles) {
      INFO(t);
      CHECK_FALSE(readability::check_title(t, text_of(s), rr()).mismatch);
    }
  }
  const auto claim = text_of(sample("claim-kk-address-block"));
  const auto c = readability::check_title("Сот шешімінің көшірмесі", claim, rr());
  CHECK(c.mismatch);
  CHECK(c.basis == "kind");
  CHECK(c.declared == "decision");
  CHECK(c.recognised.kind == "claim");
}

TEST_CASE("TITLE_MISMATCH: a claim filed as a copy of a court decision", "[kinds]") {
  // The claim mentions a decision («сот шешімін») and a court: the title's words are there,
  // the document is not what the title says.
  const auto& s = sample("claim-kk-address-block");
  auto paragraphs = s.paragraphs;
  paragraphs.push_back(
      "Сот шешімін заңды күшіне енгеннен кейін дереу орындауға жіберуді сұраймын.");
  TempDir t;
  BundleBuilder b;
  b.replace_attachment("Сот шешімінің көшірмесі.pdf", "Сот шешімінің көшірмесі",
                       samples::make_pdf("", paragraphs));
  const auto r = run_pipeline(b.write(t.path()));
  REQUIRE(codes_of(r) == Codes{"TITLE_MISMATCH"});
  const auto d = findings_with(r, "TITLE_MISMATCH")[0].finding.detail;
  CHECK(d.at("declared_kind") == "decision");
  CHECK(d.at("recognised_kind") == "claim");
  CHECK(d.at("confidence") == "high");
  CHECK_THAT(d.at("evidence")[0].get<std::string>(), Catch::Contains("ТАЛАП АРЫЗ"));
  CHECK(r.outcome == Outcome::kReview);
  const auto& k = r.sections.at("document_kinds").at("Сот шешімінің көшірмесі.pdf");
  CHECK(k.at("recognised").at("kind") == "claim");
  CHECK(k.at("checked_by") == "kind");
}

TEST_CASE("a power of attorney titled in the other language passes", "[kinds]") {
  const auto& s = sample("power_of_attorney-ru-heading");
  TempDir t;
  BundleBuilder b;
  b.replace_attachment("Сенімхат.pdf", "Сенімхат", samples::make_pdf(s.heading, s.paragraphs));
  const auto r = run_pipeline(b.write(t.path()));
  CHECK(codes_of(r).empty());
  CHECK(r.sections.at("document_kinds").at("Сенімхат.pdf").at("recognised").at("kind") ==
        "power_of_attorney");
}

TEST_CASE("kinds in the rules are validated", "[kinds][rules]") {
  std::string rules = read_file(std::filesystem::path(SOT_SOURCE_DIR) / "rules/rules.toml");
  const auto at = rules.find("is_a = \"application\"");
  REQUIRE(at != std::string::npos);
  rules.replace(at, 20, "is_a = \"no-such-kind\"");
  CHECK_THROWS_WITH(rules::load_rules(rules, "rules.toml"), Catch::Contains("not a kind"));
}
