#include <catch2/catch.hpp>

#include "config/Config.hpp"

using sot::ConfigError;
using sot::load_config;
using namespace sot;

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
      {"[registry]\nnumber_format = \"{court}-{seq}\"\n", "registry.number_format: must contain"},
      {"[registry]\nnumber_format = \"{court}-{year}-{n}\"\n", "unknown placeholder {n}"},
      {"[registry]\nnumber_format = \"{court}-{year}-{seq:x}\"\n", "unbalanced"},
      {"[http]\nlisten = \"0.0.0.0:8470\"\n", "http.listen: expected a loopback address"},
      {"[http]\nlisten = \"127.0.0.1\"\n", "http.listen"},
      {"[spool]\nmin_free_mb = -1\n", "spool.min_free_mb: must be between"},
      {"[registry]\nurl = \"mysql://x\"\n", "registry.url: neither sqlite:PATH nor"},
      {"[daemon]\ninstance = \"a b\"\n", "daemon.instance: letters, digits"},
      {"[daemon]\nlease_seconds = 1\n", "daemon.lease_seconds: must be between"},
      {"[notify]\nurl = \"http://portal.kz/x\"\nsecret = \"0123456789abcdef\"\n",
       "notify.url: https://"},
      {"[notify]\nurl = \"https://portal.kz/x\"\nsecret = \"short\"\n",
       "notify.secret: the HMAC secret needs at least 16"},
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

TEST_CASE("registration numbers follow the configured format", "[config]") {
  CHECK(format_registration_number("{court}-{year}-{seq:06}", "7110", 2026, 42) ==
        "7110-2026-000042");
  CHECK(format_registration_number("{court}/{yy}-{seq:4}", "7110", 2026, 7) == "7110/26-0007");
  CHECK(format_registration_number("№{seq}/{court}/{year}", "1910", 2025, 1234567) ==
        "№1234567/1910/2025");
  CHECK(number_format_problem("{court}-{year}-{seq:06}").empty());
  CHECK_FALSE(number_format_problem("{year}-{seq}").empty());  // no court: not unique
  const Config c = load_config("[registry]\nnumber_format = \"{court}/{yy}/{seq:05}\"\n", "t", {});
  CHECK(c.number_format == "{court}/{yy}/{seq:05}");
}

TEST_CASE("the HTTP endpoint listens on loopback only", "[config]") {
  const auto a = parse_listen_address("127.0.0.1:8470");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8470);
  CHECK(parse_listen_address("[::1]:9000")->host == "::1");
  CHECK(parse_listen_address("localhost:0")->host == "127.0.0.1");
  CHECK_FALSE(parse_listen_address("10.0.0.1:8470"));
  CHECK_FALSE(parse_listen_address("0.0.0.0:8470"));
  CHECK_FALSE(parse_listen_address("127.0.0.1:70000"));
  CHECK_FALSE(parse_listen_address(":8470"));
  CHECK(shipped_config().http_listen == "127.0.0.1:8470");
  CHECK(load_config("[http]\nlisten = \"\"\n", "t", {}).http_listen.empty());
}
