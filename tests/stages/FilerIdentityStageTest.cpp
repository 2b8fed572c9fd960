#include <catch2/catch.hpp>

#include "identity/IdentityNumber.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using namespace std::chrono;
using Codes = std::set<std::string>;

TEST_CASE("IIN/BIN check digit: both weight rounds", "[identity]") {
  CHECK(identity::check_digit("90010130012") == 6);
  CHECK(identity::check_digit("05014000065") == 6);
  // First round gives 10, so the second weights decide.
  std::optional<std::string> second_round;
  for (int n = 0; n < 10000 && !second_round; ++n) {
    std::string digits = std::to_string(n);
    const std::string buf = "9001013" + std::string(4 - digits.size(), '0') + digits;
    int sum = 0;
    for (int i = 0; i < 11; ++i) sum += (buf[i] - '0') * (i + 1);
    if (sum % 11 == 10) second_round = buf;
  }
  REQUIRE(second_round);
  const int w2[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  int sum = 0;
  for (int i = 0; i < 11; ++i) sum += ((*second_round)[i] - '0') * w2[i];
  if (sum % 11 == 10) {
    CHECK_FALSE(identity::check_digit(*second_round));
  } else {
    CHECK(identity::check_digit(*second_round) == sum % 11);
  }
}

TEST_CASE("IIN plausibility", "[identity]") {
  CHECK_FALSE(identity::iin_problem("900101300126"));
  CHECK(identity::iin_problem("900101300127"));  // check digit
  CHECK(identity::iin_problem("90010130012"));   // length
  CHECK(identity::iin_problem("9001013001a6"));  // not digits
  // Month 13: a valid check digit, but no date of birth.
  for (const char* first11 : {"90130130012", "90023030012"}) {
    const auto cd = identity::check_digit(first11);
    REQUIRE(cd);
    CHECK_THAT(*identity::iin_problem(std::string(first11) + char('0' + *cd)),
               Catch::Contains("date of birth"));
  }
  // Century digit 7 is not used; 0 neither.
  for (const char* c : {"900101700", "900101000"}) {
    std::string first11 = std::string(c) + "12";
    const auto cd = identity::check_digit(first11);
    REQUIRE(cd);
    CHECK_THAT(*identity::iin_problem(first11 + char('0' + *cd)), Catch::Contains("7th digit"));
  }
  // Born after the filing date.
  const std::string future11 = "30010150012";
  const auto fcd = identity::check_digit(future11);
  REQUIRE(fcd);
  CHECK(identity::iin_problem(future11 + char('0' + *fcd), year{2025} / 10 / 16));
}

TEST_CASE("BIN plausibility", "[identity]") {
  CHECK_FALSE(identity::bin_problem("050140000656"));
  CHECK(identity::bin_problem("050140000657"));
  const std::string bad_month11 = "051340000650";
  const auto cd = identity::check_digit(bad_month11.substr(0, 11));
  REQUIRE(cd);
  CHECK(identity::bin_problem(bad_month11.substr(0, 11) + char('0' + *cd)));
}

TEST_CASE("FILER_ID_INVALID in a bundle", "[identity]") {
  TempDir t;
  BundleBuilder b;
  SECTION("individual IIN") {
    b.manifest["filer"]["iin"] = "900101300127";
    const auto r = run_pipeline(b.write(t.path()));
    // The signer's certificate says ...126: the signature stage sees that too.
    REQUIRE(codes_of(r) == Codes{"FILER_ID_INVALID", "SIGNER_MISMATCH"});
    CHECK(findings_with(r, "FILER_ID_INVALID")[0].finding.detail.at("field") == "IIN");
    CHECK(r.outcome == Outcome::kRejected);
  }
  SECTION("legal entity BIN") {
    b.manifest["filer"] = {{"kind", "legal_entity"},
                           {"iin", "880515300091"},
                           {"bin", "050140000657"},
                           {"name", "ЖШС «Мысал»"}};
    b.signer = "legal-head";
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"FILER_ID_INVALID", "SIGNER_MISMATCH"});
    CHECK(findings_with(r, "FILER_ID_INVALID")[0].finding.detail.at("field") == "BIN");
  }
  SECTION("valid legal entity") {
    b.manifest["filer"] = {{"kind", "legal_entity"},
                           {"iin", "880515300091"},
                           {"bin", "050140000656"},
                           {"name", "ЖШС «Мысал»"}};
    b.signer = "legal-head";
    CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
  }
}
