#include <catch2/catch.hpp>

#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
using Codes = std::set<std::string>;

TEST_CASE("ATTACHMENT_COUNT_MISMATCH: appendix and attachments must correspond", "[attachments]") {
  TempDir t;
  BundleBuilder b;
  SECTION("an appendix entry with no file") {
    b.manifest["appendix"].push_back("Куәлердің жазбаша түсініктемесі");
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"ATTACHMENT_COUNT_MISMATCH"});
    const auto d = findings_with(r, "ATTACHMENT_COUNT_MISMATCH")[0].finding.detail;
    CHECK(d.at("listed") == 3);
    CHECK(d.at("attached") == 2);
    CHECK(d.at("listed_not_attached") == nlohmann::json{"Куәлердің жазбаша түсініктемесі"});
  }
  SECTION("an attachment not in the appendix") {
    b.manifest["appendix"] = {"Мемлекеттік баж түбіртегі"};
    const auto r = run_pipeline(b.write(t.path()));
    REQUIRE(codes_of(r) == Codes{"ATTACHMENT_COUNT_MISMATCH"});
    CHECK(findings_with(r, "ATTACHMENT_COUNT_MISMATCH")[0].finding.detail.at(
              "attached_not_listed") == nlohmann::json{"Шарттың көшірмесі"});
  }
  SECTION("same number, different titles") {
    b.manifest["appendix"] = {"Жалдау шартының көшірмесі", "Мемлекеттік баж түбіртегі"};
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == Codes{"ATTACHMENT_COUNT_MISMATCH"});
  }
  SECTION("one title listed twice for one file") {
    b.manifest["appendix"] = {"Шарттың көшірмесі", "Шарттың көшірмесі",
                              "Мемлекеттік баж түбіртегі"};
    CHECK(codes_of(run_pipeline(b.write(t.path()))) == Codes{"ATTACHMENT_COUNT_MISMATCH"});
  }
}

TEST_CASE("appendix titles match tolerantly", "[attachments]") {
  TempDir t;
  BundleBuilder b;
  SECTION("case, spacing, punctuation and quotes") {
    b.manifest["appendix"] = {"  «ШАРТТЫҢ   көшірмесі.» ", "мемлекеттік баж түбіртегі;"};
  }
  SECTION("by file name when the title differs") {
    b.documents[1].title = "Шарт";
    b.documents[1].file = "Шарттың көшірмесі.jpeg";
  }
  SECTION("in any order") {
    b.manifest["appendix"] = {"Мемлекеттік баж түбіртегі", "Шарттың көшірмесі"};
  }
  CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
}

TEST_CASE("a filing with only its main document and no appendix is fine", "[attachments]") {
  TempDir t;
  BundleBuilder b;
  b.manifest["kind"] = "letter";
  b.manifest["payment"] = nullptr;
  b.manifest.erase("appendix");
  b.documents.resize(1);
  CHECK(codes_of(run_pipeline(b.write(t.path()))).empty());
}
