#include <catch2/catch.hpp>

#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

namespace {
BundleBuilder new_circumstances(const std::string& established_on) {
  BundleBuilder b;
  b.manifest["kind"] = "new_circumstances";
  b.manifest["payment"] = nullptr;
  b.manifest["circumstances_established_on"] = established_on;
  b.manifest["appendix"] = {"Шарттың көшірмесі"};
  b.documents.pop_back();
  return b;  // submitted 2025-10-16
}
}  // namespace

TEST_CASE("DEADLINE_PASSED: new circumstances more than 3 months old (CPC 457)", "[deadline]") {
  TempDir t;
  SECTION("four months") {
    const auto r = run_pipeline(new_circumstances("2025-06-10").write(t.path()));
    REQUIRE(codes_of(r) == Codes{"DEADLINE_PASSED"});
    const auto f = findings_with(r, "DEADLINE_PASSED")[0];
    CHECK(f.severity == Severity::kReview);
    CHECK(f.finding.detail.at("deadline") == "2025-09-10");
    CHECK(f.finding.detail.at("filed_on") == "2025-10-16");
  }
  SECTION("one day late") {
    CHECK(codes_of(run_pipeline(new_circumstances("2025-07-15").write(t.path()))) ==
          Codes{"DEADLINE_PASSED"});
  }
  SECTION("the last day still counts") {
    CHECK(codes_of(run_pipeline(new_circumstances("2025-07-16").write(t.path()))).empty());
  }
}

TEST_CASE("the filing date is taken at submitted_at's own offset", "[deadline]") {
  TempDir t;
  auto b = new_circumstances("2025-07-16");
  // 2025-10-16T20:30Z is already 17 October in Astana (+05:00).
  b.manifest["submitted_at"] = "2025-10-17T01:30:00+05:00";
  const auto pipeline = build_pipeline(test_config());
  FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 10 / 18});
  const auto r = pipeline->run(b.write(t.path()), clock);
  CHECK(codes_of(r) == Codes{"DEADLINE_PASSED"});
}
