#include <catch2/catch.hpp>

#include <unistd.h>

#include "generator/Documents.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;

TEST_CASE("FILE_EMPTY: a 0-byte document", "[size]") {
  TempDir t;
  BundleBuilder b;
  b.documents[1].content.clear();
  const auto r = run_pipeline(b.write(t.path()));
  CHECK(codes_of(r) == std::set<std::string>{"FILE_EMPTY"});
  CHECK(findings_with(r, "FILE_EMPTY")[0].finding.file == "Шарттың көшірмесі.jpeg");
}

TEST_CASE("FILE_TOO_LARGE: over 20 MiB — exactly 20 MiB is allowed", "[size]") {
  TempDir t;
  BundleBuilder b;
  auto& doc = b.documents[0];
  SECTION("20 MiB + 1") {
    doc.content.resize((20u << 20) + 1, ' ');
    const auto r = run_pipeline(b.write(t.path()));
    CHECK(codes_of(r) == std::set<std::string>{"FILE_TOO_LARGE"});
    CHECK(findings_with(r, "FILE_TOO_LARGE")[0].finding.detail.at("limit") == 20u << 20);
  }
  SECTION("exactly 20 MiB") {
    doc.content.resize((20u << 20) - 7, ' ');
    doc.content += "\n%%EOF\n";
    CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
  }
}

TEST_CASE("BUNDLE_TOO_LARGE: all files together over the bundle limit", "[size]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["appendix"] = nlohmann::json::array();
  b.manifest["payment"]["receipt"] = nullptr;
  b.manifest["payment"]["online_payment_id"] = "EGOV-1";
  b.documents.resize(1);
  for (int i = 0; i < 6; ++i) {
    const std::string title = "Дәлел " + std::to_string(i);
    std::string content = samples::make_pdf(title, {"Дәлелдің мәтіні."});
    content.resize((18u << 20) - 7, ' ');
    content += "\n%%EOF\n";  // still a complete PDF, only large
    b.documents.push_back({title + ".pdf", title, "attachment", content});
    b.manifest["appendix"].push_back(title);
  }
  const auto r = run_pipeline(b.write(t.path()));
  CHECK(codes_of(r) == std::set<std::string>{"BUNDLE_TOO_LARGE"});
  CHECK_FALSE(findings_with(r, "BUNDLE_TOO_LARGE")[0].finding.file);
}
