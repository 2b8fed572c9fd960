// Golden end-to-end test: the real sample generator writes every sample bundle with its
// expected outcome and codes; the real `sot-intake check` runs over all of them at once;
// each report line must match its expectation and the report contract (spec section 3).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "support/Process.hpp"
#include "support/TestBundle.hpp"

using nlohmann::json;
using namespace sot::test;
namespace fs = std::filesystem;

namespace {

void check_report_shape(const json& r) {
  for (const char* key : {"bundle", "submission_id", "outcome", "registration_number", "findings",
                          "documents", "rules_version", "processed_at", "duration_ms"})
    CHECK(r.contains(key));
  CHECK((r["outcome"] == "registered" || r["outcome"] == "rejected" || r["outcome"] == "review"));
  for (const auto& f : r["findings"]) {
    INFO(f.dump());
    CHECK(f["code"].is_string());
    CHECK((f["severity"] == "reject" || f["severity"] == "review" || f["severity"] == "info"));
    CHECK(f["stage"].is_string());
    CHECK(f.contains("file"));
    CHECK(f.contains("page"));
    CHECK(f["detail"].is_object());
    CHECK_FALSE(f["message"]["kk"].get<std::string>().empty());
    CHECK_FALSE(f["message"]["ru"].get<std::string>().empty());
    CHECK(f["message"]["kk"] != f["message"]["ru"]);
  }
  for (const auto& d : r["documents"]) {
    CHECK(d["file"].is_string());
    CHECK(d["format"].is_string());
    CHECK(d["bytes"].is_number_unsigned());
  }
}

}  // namespace

TEST_CASE("every sample bundle gets its expected outcome and codes", "[golden]") {
  TempDir t;
  const auto gen = run_process({SOT_SAMPLES_BIN, t.path().string()});
  REQUIRE(gen.exit_code == 0);

  // The generated config names the generated test PKI (anchors, intermediates, CRLs).
  std::vector<std::string> argv = {SOT_INTAKE_BIN, "check", "--config",
                                   (t.path() / "config.toml").string()};
  std::map<std::string, json> expected;
  for (const auto& e : fs::directory_iterator(t.path() / "expected")) {
    const std::string id = e.path().stem().string();
    expected[id] = json::parse(read_file(e.path()));
  }
  for (const auto& [id, _] : expected) argv.push_back((t.path() / "bundles" / id).string());
  REQUIRE(expected.size() >= 70);

  const auto run = run_process(argv);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  std::istringstream lines(run.out);
  std::string line;
  std::map<std::string, json> reports;
  while (std::getline(lines, line)) {
    const json r = json::parse(line);
    reports[r.at("bundle").get<std::string>()] = r;
  }
  REQUIRE(reports.size() == expected.size());  // one line per bundle, none lost

  std::set<std::string> outcomes_seen;
  for (const auto& [id, exp] : expected) {
    INFO("bundle " << id);
    const json& r = reports.at(id);
    check_report_shape(r);
    std::set<std::string> codes;
    for (const auto& f : r["findings"]) codes.insert(f["code"].get<std::string>());
    CHECK(r["outcome"] == exp["outcome"]);
    CHECK(codes == exp["codes"].get<std::set<std::string>>());
    outcomes_seen.insert(r["outcome"].get<std::string>());
  }
  CHECK(outcomes_seen == std::set<std::string>{"registered", "rejected", "review"});

  // Every code of the shipped rules is made by at least one sample, whose complete set of
  // codes is asserted above: a false second reason beside any defect fails this test.
  std::set<std::string> expected_codes;
  for (const auto& [id, exp] : expected)
    for (const auto& c : exp["codes"]) expected_codes.insert(c.get<std::string>());
  const std::string rules = read_file(fs::path(SOT_SOURCE_DIR) / "rules" / "rules.toml");
  int rule_codes = 0;
  for (size_t at = 0; (at = rules.find("\n[codes.", at)) != std::string::npos; ++rule_codes) {
    at += 8;
    const std::string code = rules.substr(at, rules.find(']', at) - at);
    INFO("code " << code);
    CHECK(expected_codes.count(code) == 1);
  }
  CHECK(rule_codes >= 40);  // the rules' code table was found and read
}

TEST_CASE("check moves and changes nothing", "[golden]") {
  TempDir t;
  BundleBuilder b("untouched");
  const auto dir = b.write(t.path());
  std::map<std::string, std::string> before;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) before[e.path().string()] = read_file(e.path());
  REQUIRE(run_process({SOT_INTAKE_BIN, "check", dir.string()}).exit_code == 0);
  std::map<std::string, std::string> after;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) after[e.path().string()] = read_file(e.path());
  CHECK(before == after);
}
