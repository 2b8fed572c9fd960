#include <catch2/catch.hpp>

#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

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

TEST_CASE("for a letter the rules make a poor name information only", "[file_name]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["kind"] = "letter";
  b.manifest["payment"] = nullptr;
  b.manifest["appendix"] = nlohmann::json::array();
  b.documents.resize(1);
  b.documents[0].file = "scan001.pdf";
  const auto r = run_pipeline(b.write(t.path()));
  REQUIRE(codes_of(r) == Codes{"FILE_NAME_NOT_DESCRIPTIVE"});
  CHECK(findings_with(r, "FILE_NAME_NOT_DESCRIPTIVE")[0].severity == Severity::kInfo);
  CHECK(r.outcome == Outcome::kRegistered);
}
