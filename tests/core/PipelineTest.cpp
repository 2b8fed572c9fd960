// The outcome rule and the pipeline's guarantees: an internal fault is PROCESSING_FAILED
// (review), never a rejection, and every code a stage can emit is defined by the rules.
#include <catch2/catch.hpp>

#include "core/Pipeline.hpp"
#include "rules/RuleSet.hpp"
#include "support/TestBundle.hpp"

using namespace sot;

namespace {

ResolvedFinding rf(Severity s) {
  return {Finding{"X", "t", {}, {}, {}}, s};
}

class ThrowingStage final : public Stage {
 public:
  std::string_view name() const override { return "throwing"; }
  std::vector<std::string_view> codes() const override { return {}; }
  void run(BundleContext&, Findings&) const override { throw std::runtime_error("boom"); }
};

class UndefinedCodeStage final : public Stage {
 public:
  std::string_view name() const override { return "undefined"; }
  std::vector<std::string_view> codes() const override { return {"NOT_A_CODE"}; }
  void run(BundleContext&, Findings&) const override {}
};

}  // namespace

TEST_CASE("outcome: any reject rejects, else any review reviews, else registered", "[pipeline]") {
  CHECK(outcome_of({}) == Outcome::kRegistered);
  CHECK(outcome_of({rf(Severity::kInfo)}) == Outcome::kRegistered);
  CHECK(outcome_of({rf(Severity::kInfo), rf(Severity::kReview)}) == Outcome::kReview);
  CHECK(outcome_of({rf(Severity::kReview), rf(Severity::kReject), rf(Severity::kInfo)}) ==
        Outcome::kRejected);
}

TEST_CASE("a stage that throws gives PROCESSING_FAILED, review", "[pipeline]") {
  test::TempDir t;
  const auto dir = test::BundleBuilder("b").write(t.path());
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.push_back(std::make_unique<ThrowingStage>());
  Pipeline p(std::move(stages), std::make_shared<const rules::RuleSet>(rules::shipped_rules()),
             test::test_config());
  FixedClock clock(test::test_now());
  const auto r = p.run(dir, clock);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].finding.code == "PROCESSING_FAILED");
  CHECK(r.findings[0].finding.stage == "throwing");
  CHECK(r.outcome == Outcome::kReview);
}

TEST_CASE("a stage code missing from the rules is a configuration error", "[pipeline]") {
  std::vector<std::unique_ptr<const Stage>> stages;
  stages.push_back(std::make_unique<UndefinedCodeStage>());
  CHECK_THROWS_AS(
      Pipeline(std::move(stages), std::make_shared<const rules::RuleSet>(rules::shipped_rules()),
               shipped_config()),
      rules::RulesError);
}

TEST_CASE("a clean bundle is registered and its documents summarised", "[pipeline]") {
  test::TempDir t;
  test::BundleBuilder b("clean");
  const auto r = test::run_pipeline(b.write(t.path()));
  CHECK(r.findings.empty());
  CHECK(r.outcome == Outcome::kRegistered);
  CHECK(r.bundle_id == "clean");
  CHECK(r.submission_id == "197119107814937");
  REQUIRE(r.documents.size() == 3);
  CHECK(r.documents[0].file == "Талап арыз.pdf");  // manifest order
  CHECK(r.documents[0].format == "pdf");
  CHECK(r.documents[1].format == "jpeg");
  CHECK(r.documents[0].sha256 == test::sha256_hex(b.documents[0].content));
}

TEST_CASE("a missing bundle directory is a processing failure, not a rejection", "[pipeline]") {
  test::TempDir t;
  const auto r = test::run_pipeline(t.path() / "gone");
  CHECK(test::codes_of(r) == std::set<std::string>{"PROCESSING_FAILED"});
  CHECK(r.outcome == Outcome::kReview);
  CHECK(r.bundle_id == "gone");
}
