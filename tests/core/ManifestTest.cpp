// The manifest parser: a valid manifest parses; every schema violation is reported with the
// JSON path of the field and never throws, whatever the bytes.
#include <catch2/catch.hpp>

#include <functional>
#include <random>

#include "core/Manifest.hpp"
#include "support/TestBundle.hpp"

using nlohmann::json;
using sot::parse_manifest;

namespace {

json valid() {
  sot::test::BundleBuilder b;
  json m = b.manifest;
  for (const auto& d : b.documents)
    m["documents"].push_back({{"file", d.file},
                              {"title", d.title},
                              {"role", d.role},
                              {"sha256", std::string(64, 'a')},
                              {"bytes", d.content.size()}});
  return m;
}

// The fields named by the violations of `m`.
std::vector<std::string> violated(const json& m) {
  const auto r = parse_manifest(m.dump());
  std::vector<std::string> out;
  for (const auto& v : r.violations) out.push_back(v.field);
  if (!r.violations.empty()) REQUIRE_FALSE(r.manifest.has_value());
  return out;
}

bool names(const std::vector<std::string>& fields, const std::string& f) {
  return std::find(fields.begin(), fields.end(), f) != fields.end();
}

}  // namespace

TEST_CASE("a valid manifest parses into the model", "[manifest]") {
  const auto r = parse_manifest(valid().dump());
  REQUIRE(r.violations.empty());
  REQUIRE(r.manifest);
  const auto& m = *r.manifest;
  CHECK(m.kind == "claim");
  CHECK(m.court.code == "7110");
  CHECK(m.filer.iin == "900101300126");
  CHECK_FALSE(m.filer.bin);
  CHECK(m.documents.size() == 3);
  CHECK(m.documents[0].role == "main");
  CHECK(m.appendix.size() == 2);
  CHECK(m.submitted_at.offset_minutes == 300);
  CHECK(m.payment->receipt == "Мемлекеттік баж түбіртегі.pdf");
  CHECK(m.find_document("Талап арыз.pdf") == &m.documents[0]);
}

TEST_CASE("a UTF-8 byte order mark is tolerated", "[manifest]") {
  CHECK(parse_manifest("\xEF\xBB\xBF" + valid().dump()).manifest);
}

TEST_CASE("every required top-level field is required", "[manifest]") {
  for (const char* key : {"format", "submission_id", "kind", "proceeding", "court", "submitted_at",
                          "filer", "documents"}) {
    json m = valid();
    m.erase(key);
    INFO(key);
    CHECK(names(violated(m), key));
  }
}

TEST_CASE("types, enumerations and formats are enforced", "[manifest]") {
  struct Case {
    std::function<void(json&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](json& m) { m["format"] = "sot-bundle/2"; }, "format"},
      {[](json& m) { m["submission_id"] = "has space"; }, "submission_id"},
      {[](json& m) { m["submission_id"] = 197119107814937; }, "submission_id"},
      {[](json& m) { m["kind"] = "lawsuit"; }, "kind"},
      {[](json& m) { m["proceeding"] = "family"; }, "proceeding"},
      {[](json& m) { m["court"] = "Астана"; }, "court"},
      {[](json& m) { m["court"].erase("code"); }, "court.code"},
      {[](json& m) { m["court"]["region"] = ""; }, "court.region"},
      {[](json& m) { m["case_number"] = 12; }, "case_number"},
      {[](json& m) { m["submitted_at"] = "2025-10-16 15:46:00"; }, "submitted_at"},
      {[](json& m) { m["submitted_at"] = "2025-10-16T15:46:00"; }, "submitted_at"},
      {[](json& m) { m["submitted_at"] = "2025-02-30T15:46:00+05:00"; }, "submitted_at"},
      {[](json& m) { m["submitted_at"] = "2025-10-16T25:46:00+05:00"; }, "submitted_at"},
      {[](json& m) { m["filer"]["kind"] = "company"; }, "filer.kind"},
      {[](json& m) { m["filer"]["iin"] = nullptr; }, "filer.iin"},
      {[](json& m) { m["filer"]["name"] = 5; }, "filer.name"},
      {[](json& m) { m["filer"]["kind"] = "legal_entity"; }, "filer.bin"},
      {[](json& m) { m["parties"] = json::object(); }, "parties"},
      {[](json& m) { m["parties"][0] = "Ахметов"; }, "parties[0]"},
      {[](json& m) { m["parties"][0]["kind"] = "person"; }, "parties[0].kind"},
      {[](json& m) { m["parties"][0]["resident"] = "yes"; }, "parties[0].resident"},
      {[](json& m) { m["payment"]["exempt"] = "no"; }, "payment.exempt"},
      {[](json& m) { m["payment"]["duty_amount"] = -1; }, "payment.duty_amount"},
      {[](json& m) { m["payment"]["claim_amount"] = "1500000"; }, "payment.claim_amount"},
      {[](json& m) { m["appendix"] = "Шарт"; }, "appendix"},
      {[](json& m) { m["appendix"][1] = ""; }, "appendix[1]"},
      {[](json& m) { m["documents"] = json::array(); }, "documents"},
      {[](json& m) { m["documents"][1] = 7; }, "documents[1]"},
      {[](json& m) { m["documents"][1].erase("title"); }, "documents[1].title"},
      {[](json& m) { m["documents"][1]["role"] = "evidence"; }, "documents[1].role"},
      {[](json& m) { m["documents"][1]["role"] = "main"; }, "documents"},
      {[](json& m) { m["documents"][0]["role"] = "attachment"; }, "documents"},
      {[](json& m) { m["documents"][1]["sha256"] = "abc"; }, "documents[1].sha256"},
      {[](json& m) { m["documents"][1]["sha256"] = std::string(64, 'g'); }, "documents[1].sha256"},
      {[](json& m) { m["documents"][1]["bytes"] = -5; }, "documents[1].bytes"},
      {[](json& m) { m["documents"][1]["bytes"] = "5"; }, "documents[1].bytes"},
      {[](json& m) { m["documents"][1]["bytes"] = 1.5; }, "documents[1].bytes"},
      {[](json& m) { m["documents"][1]["file"] = m["documents"][0]["file"]; }, "documents[1].file"},
      {[](json& m) { m["documents"][1]["file"] = "../../etc/passwd"; }, "documents[1].file"},
      {[](json& m) { m["documents"][1]["file"] = "a\\b.pdf"; }, "documents[1].file"},
      {[](json& m) { m["documents"][1]["file"] = "a\tb.pdf"; }, "documents[1].file"},
      {[](json& m) { m["documents"][1]["file"] = ".."; }, "documents[1].file"},
      {[](json& m) { m["circumstances_established_on"] = "2025-13-01"; },
       "circumstances_established_on"},
      {[](json& m) { m["kind"] = "new_circumstances"; }, "circumstances_established_on"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    json m = valid();
    cases[i].edit(m);
    INFO("case " << i << ": " << cases[i].field);
    CHECK(names(violated(m), cases[i].field));
  }
}

TEST_CASE("the whole text is checked before the schema", "[manifest]") {
  SECTION("not JSON") {
    const auto r = parse_manifest("{\"format\": \"sot-bundle/1\",");
    REQUIRE(r.violations.size() == 1);
    CHECK(r.violations[0].field.empty());
    CHECK_THAT(r.violations[0].reason, Catch::Contains("not valid JSON"));
  }
  SECTION("a number too large for a double") {
    const auto r = parse_manifest("{\"bytes\": 4364e9609}");
    REQUIRE(r.violations.size() == 1);
    CHECK_THAT(r.violations[0].reason, Catch::Contains("not usable JSON"));
  }
  SECTION("not an object") {
    CHECK(parse_manifest("[1,2,3]").violations.size() == 1);
    CHECK(parse_manifest("\"text\"").violations.size() == 1);
    CHECK(parse_manifest("").violations.size() == 1);
  }
  SECTION("a duplicate key is refused, wherever it is") {
    std::string text = valid().dump();
    text.insert(1, "\"kind\":\"letter\",");
    const auto r = parse_manifest(text);
    REQUIRE_FALSE(r.manifest);
    CHECK(r.violations.at(0).field == "kind");
  }
  SECTION("deep nesting is refused before a DOM is built") {
    const std::string deep = std::string(30000, '[') + std::string(30000, ']');
    const auto r = parse_manifest(deep);
    REQUIRE(r.violations.size() == 1);
    CHECK_THAT(r.violations[0].reason, Catch::Contains("nested deeper"));
  }
  SECTION("brackets inside strings do not count as nesting") {
    json m = valid();
    m["filer"]["name"] = std::string(100, '[');
    CHECK(parse_manifest(m.dump()).manifest);
  }
  SECTION("counts and string sizes are bounded") {
    json m = valid();
    m["appendix"] = json::array();
    for (int i = 0; i < 2000; ++i) m["appendix"].push_back("x");
    CHECK(names(violated(m), "appendix"));
    json n = valid();
    n["filer"]["name"] = std::string(10000, 'a');
    CHECK(names(violated(n), "filer.name"));
  }
  SECTION("a NUL inside a string is refused") {
    json m = valid();
    m["filer"]["name"] = std::string("a\0b", 3);
    CHECK(names(violated(m), "filer.name"));
  }
}

TEST_CASE("the submission id is known even when another field is wrong", "[manifest]") {
  json m = valid();
  m["kind"] = "lawsuit";
  const auto r = parse_manifest(m.dump());
  CHECK_FALSE(r.manifest);
  CHECK(r.submission_id == "197119107814937");
  m["submission_id"] = "bad id";
  CHECK_FALSE(parse_manifest(m.dump()).submission_id);
}

TEST_CASE("unknown top-level fields are tolerated (forward compatible)", "[manifest]") {
  json m = valid();
  m["portal_version"] = "4.2";
  CHECK(parse_manifest(m.dump()).manifest);
}

TEST_CASE("sha256 digests are normalised to lower case", "[manifest]") {
  json m = valid();
  m["documents"][0]["sha256"] = std::string(64, 'A');
  const auto r = parse_manifest(m.dump());
  REQUIRE(r.manifest);
  CHECK(r.manifest->documents[0].sha256 == std::string(64, 'a'));
}

TEST_CASE("random bytes never throw", "[manifest]") {
  std::mt19937 rng(7);
  const std::string base = valid().dump();
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    CHECK_NOTHROW(parse_manifest(s));
  }
}
