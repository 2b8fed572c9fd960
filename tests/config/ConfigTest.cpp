#include <catch2/catch.hpp>

#include "config/Config.hpp"

using sot::ConfigError;
using sot::load_config;

TEST_CASE("the shipped config loads", "[config]") {
  const auto c = sot::shipped_config();
  CHECK(c.spool_root == "/var/spool/sot-intake");
  CHECK(c.rules_file.empty());
  CHECK(c.report_offset_minutes == 300);
  CHECK(c.effective_workers() >= 1);
}

TEST_CASE("relative paths are taken from the config file's directory", "[config]") {
  const auto c = load_config("[spool]\nroot = \"spool\"\n[signature]\ntrust_dir = \"/abs\"\n",
                             "x.toml", "/etc/sot");
  CHECK(c.spool_root == "/etc/sot/spool");
  CHECK(c.trust_dir == "/abs");
}

TEST_CASE("config errors name the file, the key and the problem", "[config]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[spool]\nroot = 5\n", "spool.root: expected a string"},
      {"[workers]\ncount = -1\n", "workers.count: must be between"},
      {"[limits]\nmax_files = \"many\"\n", "limits.max_files: expected a whole number"},
      {"[spool]\nrooot = \"x\"\n", "spool.rooot: unknown key"},
      {"[spooll]\n", "spooll: unknown section"},
      {"[report]\nutc_offset = \"5\"\n", "report.utc_offset"},
      {"[spool\n", "line 1"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    try {
      load_config(text, "bad.toml", {});
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("bad.toml") && Catch::Contains(expected));
    }
  }
}
