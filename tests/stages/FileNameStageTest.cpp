#include <catch2/catch.hpp>

#include "rules/RuleSet.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;
namespace fs = std::filesystem;

TEST_CASE("FILE_NAME_NOT_DESCRIPTIVE: names that do not say what the document is", "[file_name]") {
  for (const char* name : {"scan001.jpeg", "IMG_2024.jpg", "1.jpeg", "документ.jpeg",
                           "WhatsApp Image 2024-05-01 at 10.00.00.jpeg", "DSC_0001.JPG"}) {
    INFO(name);
    TempDir t;
    BundleBuilder b;
    b.documents[1].file = name;
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"FILE_NAME_NOT_DESCRIPTIVE"});
    const auto f = findings_with(r, "FILE_NAME_NOT_DESCRIPTIVE")[0];
    CHECK(f.finding.file == name);
    CHECK(f.severity == Severity::kReview);
    CHECK(r.outcome == Outcome::kReview);
  }
}

TEST_CASE("a letter's poor name goes to a clerk too, unless a court's rules say otherwise",
          "[file_name]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["kind"] = "letter";
  b.manifest["payment"] = nullptr;
  b.manifest["appendix"] = nlohmann::json::array();
  b.documents.resize(1);
  b.documents[0].file = "scan001.pdf";
  const auto dir = b.write(t.path());
  // The spec's default, for every kind.
  auto r = run_pipeline(dir);
  REQUIRE(codes_of(r) == Codes{"FILE_NAME_NOT_DESCRIPTIVE"});
  CHECK(findings_with(r, "FILE_NAME_NOT_DESCRIPTIVE")[0].severity == Severity::kReview);
  CHECK(r.outcome == Outcome::kReview);
  // A court's own rules copy that records letters' names only (the README's example).
  std::string text = rules::shipped_rules().text;
  const std::string at = "[codes.FILE_NAME_NOT_DESCRIPTIVE]\nseverity = \"review\"";
  REQUIRE(text.find(at) != std::string::npos);
  text.replace(text.find(at), at.size(), at + "\nkinds = { letter = \"info\" }");
  const fs::path rules_file = t.path() / "court-rules.toml";
  write_file(rules_file, text);
  Config c = test_config();
  c.rules_file = rules_file;
  r = run_pipeline(dir, c);
  CHECK(findings_with(r, "FILE_NAME_NOT_DESCRIPTIVE")[0].severity == Severity::kInfo);
  CHECK(r.outcome == Outcome::kRegistered);
}
