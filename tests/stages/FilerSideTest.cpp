// Spec §5: authority to file (AUTHORITY_MISSING, and SIGNER_AUTHORITY kept consistent with
// it) and resubmission of a refused filing (RESUBMISSION_INVALID, the reasons gone and
// remaining, the deadline counted from the refused filing within the cure window).
#include <catch2/catch.hpp>

#include "core/EarlierFiling.hpp"
#include "generator/Documents.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

namespace {

// The filer acts as `capacity` for the plaintiff (party 0).
BundleBuilder acting_as(const std::string& capacity) {
  BundleBuilder b;
  b.manifest["filer"]["capacity"] = capacity;
  b.manifest["filer"]["represents"] = {0};
  return b;
}

// The document that shows the authority, with content of its kind (a copy of the claim would
// rightly be DUPLICATE_FILE and TITLE_MISMATCH).
void attach(BundleBuilder& b, const std::string& file, const std::string& title,
            const std::string& role) {
  static const std::string power = samples::make_pdf(
      "СЕНІМХАТ", {"Мен, Ахметов Арман, Серікова Айгүлге сотта менің атымнан өкілдік етуге "
                   "сенім білдіремін.",
                   "Сенімхат бір жыл мерзімге берілді."});
  static const std::string warrant = samples::make_pdf(
      "АДВОКАТТЫҢ ОРДЕРІ", {"Астана қалалық адвокаттар алқасы. Адвокат Серікова Айгүлге "
                            "Ахметов Арманның сотта қорғаушысы ретінде тапсырма беріледі."});
  b.manifest["appendix"].push_back(title);
  b.documents.push_back({file, title, role, role == "advocate_warrant" ? warrant : power});
}

PipelineResult run_with(const std::filesystem::path& dir, const RunInputs& in) {
  const auto pipeline = build_pipeline(test_config());
  FixedClock clock(test_now());
  return pipeline->run(dir, clock, in);
}

// The earlier filing as the registry gives it: refused two days before test_now(), by the
// same filer, submitted 2025-10-01.
EarlierFiling refused_earlier() {
  EarlierFiling e;
  e.submission_id = "197119100000001";
  e.looked_up = true;
  e.status = "rejected";
  e.bundle = "b-original";
  e.refused_at = test_now() - std::chrono::days(2);
  e.submitted_at = parse_rfc3339("2025-10-01T10:00:00+05:00");
  e.filer_iin = "900101300126";
  e.reasons = {{"SCAN_RESOLUTION_LOW", "Шарттың көшірмесі.jpeg"}, {"PAYMENT_MISSING", ""}};
  return e;
}

BundleBuilder resubmission() {
  BundleBuilder b;
  b.manifest["submission_id"] = "197119100000002";
  b.manifest["resubmission_of"] = "197119100000001";
  return b;
}

}  // namespace

TEST_CASE("AUTHORITY_MISSING: a representative or an advocate without authority", "[authority]") {
  TempDir t;
  SECTION("a representative with no power of attorney") {
    const auto r = run_pipeline(acting_as("representative").write(t.path()));
    REQUIRE(codes_of(r) == Codes{"AUTHORITY_MISSING"});
    const auto f = findings_with(r, "AUTHORITY_MISSING")[0];
    CHECK(f.severity == Severity::kReject);
    CHECK(f.finding.detail.at("needed_role") == "power_of_attorney");
    CHECK(f.finding.detail.at("represents")[0].at("name") == "Ахметов Арман");
    CHECK(r.outcome == Outcome::kRejected);
  }
  SECTION("an advocate whose only document is a power of attorney (a warrant is asked for)") {
    auto b = acting_as("advocate");
    attach(b, "Сенімхат.pdf", "Сенімхат", "power_of_attorney");
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"AUTHORITY_MISSING"});
    CHECK(findings_with(r, "AUTHORITY_MISSING")[0].finding.detail.at("needed_role") ==
          "advocate_warrant");
  }
}

TEST_CASE("authority shown by a document or an e-notary reference gives no finding",
          "[authority]") {
  TempDir t;
  SECTION("power of attorney") {
    auto b = acting_as("representative");
    attach(b, "Сенімхат.pdf", "Сенімхат", "power_of_attorney");
    const auto r = run_pipeline(b.write(t.path()));
    CHECK(codes_of(r).empty());
    CHECK(r.sections.at("authority").at("shown_by") == "document");
  }
  SECTION("advocate's warrant") {
    auto b = acting_as("advocate");
    attach(b, "Ордер.pdf", "Адвокаттың ордері", "advocate_warrant");
    CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
  }
  SECTION("electronic power of attorney") {
    auto b = acting_as("representative");
    b.manifest["filer"]["authority_ref"] = "EN-2025-0001234567";
    const auto r = run_pipeline(b.write(t.path()));
    CHECK(codes_of(r).empty());
    CHECK(r.sections.at("authority").at("authority_ref") == "EN-2025-0001234567");
  }
  SECTION("a filer acting for itself needs nothing (the default)") {
    const auto r = run_pipeline(BundleBuilder().write(t.path()));
    CHECK(codes_of(r).empty());
    CHECK_FALSE(r.sections.contains("authority"));
  }
}

TEST_CASE("the authority fields are part of the manifest's schema", "[authority][manifest]") {
  TempDir t;
  auto malformed_field = [&](BundleBuilder b) {
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"BUNDLE_MALFORMED"});
    return findings_with(r, "BUNDLE_MALFORMED")[0].finding.detail.value("field", "");
  };
  auto b = acting_as("representative");
  b.manifest["filer"]["capacity"] = "friend";
  CHECK(malformed_field(b) == "filer.capacity");
  b = acting_as("representative");
  b.manifest["filer"]["represents"] = {3};
  CHECK(malformed_field(b) == "filer.represents[0]");
  b = acting_as("advocate");
  b.manifest["filer"].erase("represents");
  CHECK(malformed_field(b) == "filer.represents");
  b = BundleBuilder();
  b.manifest["resubmission_of"] = "../etc";
  CHECK(malformed_field(b) == "resubmission_of");
  b = BundleBuilder();
  b.documents[1].role = "warrant";
  CHECK(malformed_field(b) == "documents[1].role");
}

TEST_CASE("SIGNER_AUTHORITY applies to a company's filer acting as the company itself",
          "[authority][signature]") {
  TempDir t;
  auto company = [](const std::string& capacity, bool with_power) {
    BundleBuilder b(capacity + (with_power ? "-with-power" : "-without"));
    b.signer = "legal-employee";  // an employee's certificate without the right to sign
    b.manifest["filer"] = {{"kind", "legal_entity"}, {"iin", "880515300091"},
                           {"bin", "050140000656"},  {"name", "ЖШС «Мысал»"},
                           {"capacity", capacity},   {"represents", {0}}};
    b.manifest["parties"][0] = {{"role", "plaintiff"},
                                {"kind", "legal_entity"},
                                {"resident", true},
                                {"name", "ЖШС «Мысал»"},
                                {"bin", "050140000656"}};
    if (with_power) attach(b, "Сенімхат.pdf", "Сенімхат", "power_of_attorney");
    return b;
  };
  CHECK(codes_of(run_pipeline(company("self", false).write(t.path()))) ==
        Codes{"SIGNER_AUTHORITY"});
  CHECK(codes_of(run_pipeline(company("representative", true).write(t.path()))).empty());
  CHECK(codes_of(run_pipeline(company("representative", false).write(t.path()))) ==
        Codes{"AUTHORITY_MISSING"});
}

TEST_CASE("RESUBMISSION_INVALID: the earlier filing is not this filer's refused one",
          "[resubmission]") {
  TempDir t;
  const auto dir = resubmission().write(t.path());
  auto reason_for = [&](const EarlierFiling& e) {
    RunInputs in;
    in.earlier = e;
    const auto r = run_with(dir, in);
    REQUIRE(codes_of(r) == Codes{"RESUBMISSION_INVALID"});
    const auto f = findings_with(r, "RESUBMISSION_INVALID")[0];
    CHECK(f.severity == Severity::kReview);
    CHECK(r.outcome == Outcome::kReview);
    CHECK(f.finding.detail.at("of") == "197119100000001");
    return f.finding.detail.at("reason").get<std::string>();
  };
  EarlierFiling e = refused_earlier();
  e.status = "unknown";
  CHECK(reason_for(e) == "unknown");
  e.status = "registered";
  CHECK(reason_for(e) == "registered");
  e.status = "review";
  CHECK(reason_for(e) == "not_decided");
  e.status = "pending";
  CHECK(reason_for(e) == "not_decided");
  e = refused_earlier();
  e.filer_iin = "880515300091";
  CHECK(reason_for(e) == "other_filer");
  e = refused_earlier();
  e.looked_up = false;
  e.status = "unknown";
  CHECK(reason_for(e) == "not_verifiable");
  // Nothing looked up at all (a bare pipeline run): the same, never a silent pass.
  CHECK(reason_for(EarlierFiling{"197119100000001"}) == "not_verifiable");
}

TEST_CASE("a valid resubmission lists the reasons gone and remaining", "[resubmission]") {
  TempDir t;
  auto b = resubmission();
  b.manifest["payment"]["receipt"] = nullptr;  // the payment is still missing
  b.manifest["appendix"] = {"Шарттың көшірмесі"};
  b.documents.pop_back();
  RunInputs in;
  in.earlier = refused_earlier();
  const auto r = run_with(b.write(t.path()), in);
  REQUIRE(codes_of(r) == Codes{"PAYMENT_MISSING"});
  const auto& s = r.sections.at("resubmission");
  CHECK(s.at("valid") == true);
  CHECK(
      s.at("reasons_gone") ==
      nlohmann::json::parse(R"([{"code":"SCAN_RESOLUTION_LOW","file":"Шарттың көшірмесі.jpeg"}])"));
  CHECK(s.at("reasons_remaining") ==
        nlohmann::json::parse(R"([{"code":"PAYMENT_MISSING","file":null}])"));
  CHECK(s.at("reasons_new").empty());
  CHECK(s.at("within_cure_window") == true);
  CHECK(s.at("deadline_counted_from") == "2025-10-01T10:00:00+05:00");
  CHECK(r.sections.at("filing").at("resubmission_of") == "197119100000001");
}

TEST_CASE("within the cure window the deadline counts from the refused filing", "[resubmission]") {
  TempDir t;
  // Circumstances established 2025-06-10: the 3-month limit ended 2025-09-10. The refused
  // original was filed 2025-09-01 (in time); this resubmission on 2025-10-16 (late).
  auto b = resubmission();
  b.manifest["kind"] = "new_circumstances";
  b.manifest["payment"] = nullptr;
  b.manifest["circumstances_established_on"] = "2025-06-10";
  b.manifest["appendix"] = {"Шарттың көшірмесі"};
  b.documents.pop_back();
  const auto dir = b.write(t.path());
  EarlierFiling e = refused_earlier();
  e.submitted_at = parse_rfc3339("2025-09-01T10:00:00+05:00");
  RunInputs in;
  in.earlier = e;
  SECTION("arrived two days after the refusal: in time") {
    const auto r = run_with(dir, in);
    CHECK(codes_of(r).empty());
    CHECK(r.sections.at("resubmission").at("deadline_counted_from") == "2025-09-01T10:00:00+05:00");
  }
  SECTION("arrived after the cure window: late, as any filing") {
    in.arrival = *e.refused_at + std::chrono::days(8);
    const auto r = run_with(dir, in);
    REQUIRE(codes_of(r) == Codes{"DEADLINE_PASSED"});
    CHECK(findings_with(r, "DEADLINE_PASSED")[0].finding.detail.at("filed_on") == "2025-10-16");
    CHECK(r.sections.at("resubmission").at("within_cure_window") == false);
  }
  SECTION("the original itself was late: still late, and the detail says from which filing") {
    in.earlier->submitted_at = parse_rfc3339("2025-09-20T10:00:00+05:00");
    const auto r = run_with(dir, in);
    REQUIRE(codes_of(r) == Codes{"DEADLINE_PASSED"});
    const auto d = findings_with(r, "DEADLINE_PASSED")[0].finding.detail;
    CHECK(d.at("filed_on") == "2025-09-20");
    CHECK(d.at("filed_on_as_resubmission_of") == "197119100000001");
  }
  SECTION("an invalid link never moves the deadline") {
    in.earlier->filer_iin = "880515300091";
    CHECK(codes_of(run_with(dir, in)) == Codes{"DEADLINE_PASSED", "RESUBMISSION_INVALID"});
  }
}
