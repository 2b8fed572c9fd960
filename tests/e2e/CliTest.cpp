// The sot-intake command line as tools and operators use it: usage, exit codes, errors that
// name the file and key, and a report line for every bundle named.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support/Process.hpp"
#include "support/TestBundle.hpp"

using nlohmann::json;
using namespace sot::test;

TEST_CASE("help and version", "[cli]") {
  const auto help = run_process({SOT_INTAKE_BIN, "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("check [--config FILE]"));
  const auto version = run_process({SOT_INTAKE_BIN, "--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("sot-intake ") && Catch::Contains("sot-bundle/1"));
  CHECK(run_process({SOT_INTAKE_BIN, "check", "--help"}).exit_code == 0);
}

TEST_CASE("usage errors exit 2", "[cli]") {
  CHECK(run_process({SOT_INTAKE_BIN}).exit_code == 2);
  CHECK(run_process({SOT_INTAKE_BIN, "frobnicate"}).exit_code == 2);
  CHECK(run_process({SOT_INTAKE_BIN, "check"}).exit_code == 2);
  CHECK(run_process({SOT_INTAKE_BIN, "check", "--no-such-flag", "x"}).exit_code == 2);
}

TEST_CASE("a bad config or rules file exits 2 naming the file and the key", "[cli]") {
  TempDir t;
  const auto bundle = BundleBuilder().write(t.path());
  SECTION("config") {
    write_file(t.path() / "bad.toml", "[workers]\ncount = \"many\"\n");
    const auto r = run_process(
        {SOT_INTAKE_BIN, "check", "--config", (t.path() / "bad.toml").string(), bundle.string()});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("bad.toml") && Catch::Contains("workers.count"));
  }
  SECTION("missing config file") {
    const auto r = run_process(
        {SOT_INTAKE_BIN, "check", "--config", (t.path() / "none.toml").string(), bundle.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("none.toml"));
  }
  SECTION("rules") {
    std::string rules = read_file(std::filesystem::path(SOT_SOURCE_DIR) / "rules/rules.toml");
    rules.replace(rules.find("max_file_bytes = 20971520"), 25, "max_file_bytes = \"big\"");
    write_file(t.path() / "rules.toml", rules);
    write_file(t.path() / "c.toml", "[rules]\nfile = \"rules.toml\"\n");
    const auto r = run_process(
        {SOT_INTAKE_BIN, "check", "--config", (t.path() / "c.toml").string(), bundle.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("rules.toml") && Catch::Contains("limits.max_file_bytes"));
  }
}

TEST_CASE("every bundle named gets exactly one report line, in order", "[cli]") {
  TempDir t;
  const auto a = BundleBuilder("a").write(t.path());
  const auto missing = t.path() / "not-there";
  const auto c = BundleBuilder("c").write(t.path());
  const auto r = run_process(
      {SOT_INTAKE_BIN, "check", "--trust-dir", (test_pki_dir() / "trust").string(), "--crl-dir",
       (test_pki_dir() / "crl").string(), a.string(), missing.string(), c.string()});
  REQUIRE(r.exit_code == 0);
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["bundle"] == "a");
  CHECK(lines[0]["outcome"] == "registered");
  CHECK(lines[0]["signature"]["indication"] == "TOTAL_PASSED");
  CHECK(lines[1]["bundle"] == "not-there");
  CHECK(lines[1]["outcome"] == "review");
  CHECK(lines[1]["findings"][0]["code"] == "PROCESSING_FAILED");
  CHECK(lines[2]["bundle"] == "c");
  CHECK(lines[0]["processed_at"].get<std::string>().size() == 25);  // ...+05:00
}

TEST_CASE("check: a crashing or hanging analysis costs only its own bundle's line", "[cli]") {
  TempDir t;
  std::vector<std::string> argv = {SOT_INTAKE_BIN,     "check",
                                   "--trust-dir",      (test_pki_dir() / "trust").string(),
                                   "--crl-dir",        (test_pki_dir() / "crl").string(),
                                   "--jobs",           "2",
                                   "--bundle-timeout", "3"};
  const std::vector<std::string> ids = {"fine-1", "poison-crash", "fine-2", "poison-hang",
                                        "fine-3"};
  for (const auto& id : ids) argv.push_back(BundleBuilder(id).write(t.path()).string());
  ::setenv("SOT_FAULT_INJECT", "crash:poison-crash,hang:poison-hang", 1);
  const auto r = run_process(argv);
  ::unsetenv("SOT_FAULT_INJECT");
  REQUIRE(r.exit_code == 0);
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    INFO(ids[i]);
    CHECK(lines[i]["bundle"] == ids[i]);  // in the order given, whichever finished first
    if (ids[i].rfind("poison", 0) == 0) {
      CHECK(lines[i]["outcome"] == "review");
      REQUIRE(lines[i]["findings"].size() == 1);
      CHECK(lines[i]["findings"][0]["code"] == "PROCESSING_FAILED");
      CHECK(lines[i]["findings"][0]["severity"] == "review");
    } else {
      CHECK(lines[i]["outcome"] == "registered");
    }
  }
  CHECK_THAT(lines[1]["findings"][0]["detail"]["reason"].get<std::string>(),
             Catch::Contains("signal 6"));
  CHECK_THAT(lines[3]["findings"][0]["detail"]["reason"].get<std::string>(),
             Catch::Contains("longer than 3 s"));

  // --in-process: the same reports without worker processes (and without their isolation).
  std::vector<std::string> plain = {SOT_INTAKE_BIN,
                                    "check",
                                    "--in-process",
                                    "--trust-dir",
                                    (test_pki_dir() / "trust").string(),
                                    "--crl-dir",
                                    (test_pki_dir() / "crl").string(),
                                    (t.path() / "fine-1").string()};
  const auto p = run_process(plain);
  REQUIRE(p.exit_code == 0);
  const json one = json::parse(p.out);
  CHECK(one["outcome"] == "registered");
  CHECK(one["documents"] == lines[0]["documents"]);
}

namespace {
// The analysis workers (this binary with --analysis-worker) that `parent`'s threads started.
std::vector<int> workers_of(int parent) {
  std::vector<int> out;
  const std::filesystem::path proc = "/proc/" + std::to_string(parent);
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(proc / "task", ec)) {
    std::ifstream children(task.path() / "children");
    for (int pid; children >> pid;) {
      std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
      const std::string cmdline((std::istreambuf_iterator<char>(cmd)), {});
      if (cmdline.find("--analysis-worker") != std::string::npos) out.push_back(pid);
    }
  }
  return out;
}
bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
}
}  // namespace

TEST_CASE("check: kill -9 of check takes its workers with it", "[cli]") {
  using namespace std::chrono_literals;
  TempDir t;
  const auto bundle = BundleBuilder("poison-hang").write(t.path());
  ::setenv("SOT_FAULT_INJECT", "hang:poison-hang", 1);
  const int pid =
      spawn_background({SOT_INTAKE_BIN, "check", "--trust-dir", (test_pki_dir() / "trust").string(),
                        "--crl-dir", (test_pki_dir() / "crl").string(), bundle.string()},
                       (t.path() / "log").string());
  ::unsetenv("SOT_FAULT_INJECT");
  std::vector<int> workers;
  for (int i = 0; i < 200 && workers.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    workers = workers_of(pid);
  }
  REQUIRE(workers.size() == 1);
  std::this_thread::sleep_for(300ms);  // the worker has the bundle and hangs on it
  REQUIRE(alive(workers[0]));
  ::kill(pid, SIGKILL);
  CHECK(wait_for(pid) == 128 + SIGKILL);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(50ms);
    gone = !alive(workers[0]);
  }
  CHECK(gone);
  if (!gone) ::kill(workers[0], SIGKILL);
}

TEST_CASE("check with NCA's test roots: real KalkanCrypt and NCANode signatures", "[cli][nca]") {
  // Real signatures nobody here made (tests/data/nca-real/README.md). Their signed content is
  // a text, not a manifest, so the bundle itself is BUNDLE_MALFORMED; the signature's verdict
  // is what this test reads. In worker processes, like every check.
  namespace fs = std::filesystem;
  const fs::path real = fs::path(SOT_SOURCE_DIR) / "tests" / "data" / "nca-real";
  TempDir t;
  write_file(t.path() / "config.toml", "[signature]\ntrust_dir = \"" + (real / "trust").string() +
                                           "\"\nintermediates_dir = \"" +
                                           (real / "intermediates").string() + "\"\ncrl_dir = \"" +
                                           (real / "crl").string() + "\"\n");
  auto bundle = [&](const std::string& id, const std::string& content, const std::string& sig) {
    fs::create_directories(t.path() / id / "files");
    write_file(t.path() / id / "manifest.json", content);
    write_file(t.path() / id / "manifest.json.p7s", sig);
    return (t.path() / id).string();
  };
  const std::string doc = read_file(real / "cms" / "legal_entity_document.txt");
  std::string auth_b64 = read_file(
      real / "cms" /
      "danikarik-personal-active-AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.cms");
  const auto r = run_process(
      {SOT_INTAKE_BIN, "check", "--config", (t.path() / "config.toml").string(),
       bundle("legal", doc, read_file(real / "cms" / "legal_entity_detached.der")),
       bundle("legal-other", doc + " ", read_file(real / "cms" / "legal_entity_detached.der")),
       // The bare base64 NCALayer hands over is a signature encoding the contract accepts.
       bundle("auth-key", "asdasd", auth_b64)});
  REQUIRE(r.exit_code == 0);
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == 3);
  auto codes = [](const json& report) {
    std::set<std::string> out;
    for (const auto& f : report["findings"]) out.insert(f["code"].get<std::string>());
    return out;
  };
  CHECK(codes(lines[0]) == std::set<std::string>{"BUNDLE_MALFORMED"});
  CHECK(lines[0]["signature"]["indication"] == "TOTAL_PASSED");
  CHECK(lines[0]["signature"]["signer_name"] == "ТЕСТОВ ТЕСТ");
  CHECK(lines[0]["signature"]["role"] == "first_head");
  CHECK(codes(lines[1]) == std::set<std::string>{"BUNDLE_MALFORMED", "SIGNATURE_INVALID"});
  CHECK(codes(lines[2]) == std::set<std::string>{"BUNDLE_MALFORMED", "CERT_KEY_USAGE"});
}
