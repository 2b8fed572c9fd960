#include <catch2/catch.hpp>

#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

namespace {
// A claim without its receipt document.
BundleBuilder without_receipt() {
  BundleBuilder b;
  b.documents.pop_back();
  b.manifest["appendix"] = {"Шарттың көшірмесі"};
  b.manifest["payment"]["receipt"] = nullptr;
  return b;
}
}  // namespace

TEST_CASE("PAYMENT_MISSING: duty owed and nothing shows it was paid", "[payment]") {
  TempDir t;
  SECTION("no receipt, no payment id, no exemption") {
    const auto r = run_pipeline(without_receipt().write(t.path()));
    REQUIRE(codes_of(r) == Codes{"PAYMENT_MISSING"});
    CHECK(r.outcome == Outcome::kRejected);
  }
  SECTION("no payment section at all") {
    auto b = without_receipt();
    b.manifest["payment"] = nullptr;
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == Codes{"PAYMENT_MISSING"});
  }
  SECTION("exemption without its basis") {
    auto b = without_receipt();
    b.manifest["payment"]["exempt"] = true;
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == Codes{"PAYMENT_MISSING"});
  }
  SECTION("a receipt named but not uploaded") {
    auto b = without_receipt();
    b.manifest["payment"]["receipt"] = "Түбіртек.pdf";
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == Codes{"PAYMENT_MISSING"});
  }
}

TEST_CASE("payment shown or not owed", "[payment]") {
  TempDir t;
  auto b = without_receipt();
  SECTION("online payment id") {
    b.manifest["payment"]["online_payment_id"] = "EGOV-1";
  }
  SECTION("exemption with basis") {
    b.manifest["payment"]["exempt"] = true;
    b.manifest["payment"]["exemption_basis"] = "Салық кодексінің 541-бабы";
  }
  SECTION("a kind that owes no duty") {
    b.manifest["kind"] = "private_complaint";
    b.manifest["payment"] = nullptr;
  }
  SECTION("a proceeding that charges no duty") {
    b.manifest["proceeding"] = "criminal";
  }
  CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
}
