// sot-intaked end to end: the real daemon on a temporary spool fed the way the portal feeds
// it (write under tmp/, rename into incoming/). Every bundle ends in exactly one outcome
// directory with its report; registration numbers are gap-free; kill -9 at random moments
// loses and duplicates nothing; SIGHUP with broken rules keeps the old ones.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "e2e/DaemonSupport.hpp"
#include "support/Process.hpp"
#include "support/TestBundle.hpp"

using nlohmann::json;
using namespace sot::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("the daemon decides every sample bundle as expected", "[daemon]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const int pid = start_daemon(spool, t.path() / "log");
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  for (const auto& [id, _] : samples().expected) deliver(spool, samples().bundle(id), id);
  // Not bundles: a plain file, a symlink, a bad name.
  write_file(spool / "incoming" / "stray.txt", "x");
  fs::create_directory_symlink("/etc", spool / "incoming" / "link");
  fs::create_directory(spool / "incoming" / ".hidden");
  // A bundle still being written under tmp/ is never touched.
  fs::create_directories(spool / "tmp" / "half-written" / "files");
  const int n = static_cast<int>(samples().expected.size());
  const bool all = wait_until([&] { return decided(spool) == n; }, 120s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(t.path() / "log"));
  REQUIRE(all);
  CHECK(count_in(spool / "incoming") == 0);
  CHECK(count_in(spool / "active") == 0);
  CHECK(count_in(spool / "quarantine") == 3);
  CHECK(fs::exists(spool / "tmp" / "half-written"));
  int registered = 0;
  for (const auto& [id, exp] : samples().expected) {
    const std::string outcome = exp["outcome"];
    const fs::path dir = spool / outcome / id;
    INFO(id);
    REQUIRE(fs::is_directory(dir));
    const json report = json::parse(read_file(dir / "result" / "report.json"));
    CHECK(report["outcome"] == outcome);
    CHECK(report["bundle"] == id);
    if (outcome == "rejected") {  // the filer's notice, with every rejecting reason
      const json notice = json::parse(read_file(dir / "result" / "notice.json"));
      size_t rejecting = 0;
      for (const auto& f : report["findings"]) rejecting += f["severity"] == "reject";
      CHECK(notice["reasons"].size() == rejecting);
      CHECK(read_file(dir / "result" / "notice.pdf").rfind("%PDF-", 0) == 0);
    }
    if (outcome == "registered") {
      ++registered;
      CHECK(report["registration_number"].is_string());
      const json receipt = json::parse(read_file(dir / "result" / "receipt.json"));
      CHECK(receipt["registration_number"] == report["registration_number"]);
      CHECK(read_file(dir / "result" / "receipt.pdf").rfind("%PDF-", 0) == 0);
    } else {
      CHECK(report["registration_number"].is_null());
    }
    // The bundle itself is untouched.
    CHECK(read_file(dir / "manifest.json") == read_file(samples().bundle(id) / "manifest.json"));
  }
  check_registry(spool, registered);
}

TEST_CASE("kill -9 at random moments loses and duplicates nothing", "[daemon][kill]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path log = t.path() / "log";
  // A mix of outcomes, each delivered under several ids.
  const std::vector<std::string> kinds = {"clean-claim-individual", "clean-letter",
                                          "signature-revoked",      "duplicate-file",
                                          "scan-resolution-low",    "clean-appeal-exempt"};
  std::vector<std::string> ids;
  std::mt19937 rng(2026);
  // And a clean bundle that brings its own result/report.json saying "registered": whenever
  // the daemon is killed, it must end rejected (BUNDLE_MALFORMED), never registered.
  const fs::path forged = t.path() / "forged";
  fs::copy(samples().bundle("clean-claim-individual"), forged, fs::copy_options::recursive);
  fs::create_directories(forged / "result");
  write_file(
      forged / "result" / "report.json",
      R"({"bundle":"forged","outcome":"registered","registration_number":"7110-2025-999999",)"
      R"("findings":[]})");
  std::set<std::string> forged_ids;
  int pid = start_daemon(spool, log);
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  // The suite's short run; scripts/kill-test.sh runs it long (SOT_KILL_ROUNDS=60 and more).
  const int rounds =
      std::getenv("SOT_KILL_ROUNDS") ? std::atoi(std::getenv("SOT_KILL_ROUNDS")) : 12;
  int kills = 0;
  // Three producers deliver the whole time, the way several portal front ends would, while
  // the daemon is killed and restarted underneath them.
  const int total = rounds * 8;
  std::mutex ids_mutex;
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p)
    producers.emplace_back([&, p] {
      std::mt19937 r(static_cast<unsigned>(100 + p));
      for (int k = p; k < total; k += 3) {
        const std::string id = "p" + std::to_string(p) + "-" + std::to_string(k);
        const bool forge = r() % 6 == 0;
        deliver(spool, forge ? forged : samples().bundle(kinds[r() % kinds.size()]), id);
        {
          std::lock_guard lock(ids_mutex);
          ids.push_back(id);
          if (forge) forged_ids.insert(id);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + r() % 100));
      }
    });
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    ::kill(pid, SIGKILL);
    wait_for(pid);
    ++kills;
    pid = start_daemon(spool, log);
  }
  for (auto& producer : producers) producer.join();
  const int n = static_cast<int>(ids.size());
  const bool all = wait_until([&] { return decided(spool) == n; }, 600s);
  ::kill(pid, SIGTERM);
  wait_for(pid);
  const std::string text = read_file(log);
  INFO(text);
  REQUIRE(all);
  CHECK(kills == rounds);
  CHECK(count_in(spool / "incoming") == 0);
  CHECK(count_in(spool / "active") == 0);
  int registered = 0;
  for (const auto& id : ids) {
    int found = 0;
    for (const char* o : {"registered", "rejected", "review"})
      if (fs::exists(spool / o / id)) {
        ++found;
        CHECK(fs::exists(spool / o / id / "result" / "report.json"));
        if (std::string(o) == "registered") ++registered;
      }
    INFO(id);
    CHECK(found == 1);  // exactly one outcome
    if (forged_ids.count(id)) {
      REQUIRE(fs::exists(spool / "rejected" / id / "result" / "report.json"));
      const auto report =
          nlohmann::json::parse(read_file(spool / "rejected" / id / "result" / "report.json"));
      bool malformed = false;
      for (const auto& f : report["findings"])
        malformed = malformed || f["code"] == "BUNDLE_MALFORMED";
      CHECK(malformed);
    }
  }
  CHECK_FALSE(forged_ids.empty());
  check_registry(spool, registered);
  size_t recovered = 0;
  for (size_t at = 0; (at = text.find("recovered:", at)) != std::string::npos; ++at) ++recovered;
  std::printf(
      "kill -9: %d bundles, %d kills, %zu recoveries of interrupted bundles, %d registered, "
      "0 lost, 0 duplicated\n",
      n, kills, recovered, registered);
}

TEST_CASE("SIGHUP with a broken rules file keeps serving with the old rules", "[daemon]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  const fs::path config = t.path() / "sot.toml";
  const fs::path pki = samples().dir.path() / "pki";
  write_file(t.path() / "rules.toml", read_file(fs::path(SOT_SOURCE_DIR) / "rules" / "rules.toml"));
  write_file(config, "[signature]\ntrust_dir = \"" + (pki / "trust").string() + "\"\ncrl_dir = \"" +
                         (pki / "crl").string() + "\"\n[rules]\nfile = \"rules.toml\"\n");
  const int pid = spawn_background(
      {SOT_INTAKED_BIN, "--config", config.string(), "--spool", spool.string(), "--workers", "1"},
      (t.path() / "log").string());
  REQUIRE(wait_until(
      [&] { return read_file(t.path() / "log").find("watching") != std::string::npos; }, 30s));
  write_file(t.path() / "rules.toml", "version = \n");  // broken
  ::kill(pid, SIGHUP);
  REQUIRE(wait_until(
      [&] { return read_file(t.path() / "log").find("reload refused") != std::string::npos; },
      10s));
  deliver(spool, samples().bundle("clean-letter"), "after-hup");
  const bool done = wait_until([&] { return decided(spool) == 1; }, 30s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(t.path() / "log"));
  REQUIRE(done);
  CHECK(fs::exists(spool / "registered" / "after-hup"));
}

TEST_CASE("a crashing or hanging analysis costs one bundle, never the daemon", "[daemon]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  ::setenv("SOT_FAULT_INJECT", "crash:poison-crash,hang:poison-hang", 1);
  const int pid =
      spawn_background({SOT_INTAKED_BIN, "--config", samples().config().string(), "--spool",
                        spool.string(), "--workers", "2", "--bundle-timeout", "3"},
                       (t.path() / "log").string());
  ::unsetenv("SOT_FAULT_INJECT");
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  for (const char* id : {"poison-crash", "poison-hang", "fine-1", "fine-2", "fine-3"})
    deliver(spool, samples().bundle("clean-letter"), id);
  const bool done = wait_until([&] { return decided(spool) == 5; }, 60s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  INFO(read_file(t.path() / "log"));
  REQUIRE(done);
  for (const char* id : {"poison-crash", "poison-hang"}) {
    INFO(id);
    REQUIRE(fs::exists(spool / "review" / id));
    const json report = json::parse(read_file(spool / "review" / id / "result" / "report.json"));
    CHECK(report["findings"][0]["code"] == "PROCESSING_FAILED");
    CHECK(report["findings"][0]["severity"] == "review");
  }
  CHECK_THAT(read_file(spool / "review" / "poison-crash" / "result" / "report.json"),
             Catch::Contains("signal 6"));
  CHECK_THAT(read_file(spool / "review" / "poison-hang" / "result" / "report.json"),
             Catch::Contains("longer than 3 s"));
  for (const char* id : {"fine-1", "fine-2", "fine-3"})
    CHECK(fs::exists(spool / "registered" / id));
}

TEST_CASE("a signal during start-up does not kill the daemon", "[daemon]") {
  TempDir t;
  const int pid = start_daemon(t.path() / "spool", t.path() / "log");
  // As soon as main() has blocked SIGHUP (the kernel shows it in SigBlk), and long before the
  // configuration and trust material are loaded.
  REQUIRE(wait_until(
      [&] {
        const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
        const auto at = status.find("SigBlk:");
        return at != std::string::npos &&
               (std::stoull(status.substr(at + 7, 24), nullptr, 16) & (1ull << (SIGHUP - 1)));
      },
      10s));
  ::kill(pid, SIGHUP);
  REQUIRE(wait_until(
      [&] { return read_file(t.path() / "log").find("watching") != std::string::npos; }, 30s));
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);  // not 128 + SIGHUP
}

TEST_CASE("a worker turned hostile can read its bundle and nothing else, and write nothing",
          "[daemon][trust]") {
  TempDir t;
  const fs::path spool = t.path() / "spool";
  // Test builds: on a bundle named "escape-…" the worker tries to open the registry, to
  // create a file in the bundle's directory in the spool and to open a socket; any of them
  // working aborts it (the bundle would show PROCESSING_FAILED, signal 6).
  ::setenv("SOT_FAULT_INJECT", "escape:escape-probe", 1);
  const int pid = spawn_background({SOT_INTAKED_BIN, "--config", samples().config().string(),
                                    "--spool", spool.string(), "--workers", "1"},
                                   (t.path() / "log").string());
  ::unsetenv("SOT_FAULT_INJECT");
  REQUIRE(wait_until([&] { return fs::is_directory(spool / "incoming"); }, 10s));
  deliver(spool, samples().bundle("clean-letter"), "escape-probe");
  const bool done = wait_until([&] { return decided(spool) == 1; }, 60s);
  ::kill(pid, SIGTERM);
  CHECK(wait_for(pid) == 0);
  const std::string log = read_file(t.path() / "log");
  INFO(log);
  REQUIRE(done);
  REQUIRE(fs::exists(spool / "state" / "registry.sqlite"));  // there to be opened, had it been
  // Every attempt refused, and the bundle checked as usual.
  CHECK_THAT(log, Catch::Contains("escape probe: all refused"));
  CHECK_THAT(log, !Catch::Contains("ESCAPED"));
  CHECK(fs::exists(spool / "registered" / "escape-probe"));
  CHECK_FALSE(fs::exists(spool / "registered" / "escape-probe" / "escape-probe"));
}

namespace {

std::set<std::string> codes_in(const fs::path& report) {
  std::set<std::string> out;
  const auto parsed = nlohmann::json::parse(read_file(report));
  for (const auto& f : parsed["findings"]) out.insert(f["code"].get<std::string>());
  return out;
}

// A clean claim that brought its own result/report.json saying "registered".
fs::path forged_bundle(const fs::path& root) {
  const fs::path dir = root / "forged-src";
  if (!fs::exists(dir)) {
    fs::copy(samples().bundle("clean-claim-individual"), dir, fs::copy_options::recursive);
    fs::create_directories(dir / "result");
    write_file(dir / "result" / "report.json",
               R"({"bundle":"x","outcome":"registered","registration_number":"7110-2025-999999",)"
               R"("findings":[]})");
  }
  return dir;
}

}  // namespace

TEST_CASE("kill -9 at each step of a decision: only what the registry committed is finished",
          "[daemon][kill][trust]") {
  for (const char* step : {"committed", "set-aside", "report", "documents", "moved"}) {
    DYNAMIC_SECTION("the daemon killed at '" << step << "'") {
      TempDir t;
      const fs::path spool = t.path() / "spool";
      const fs::path log = t.path() / "log";
      fs::create_directories(spool / "tmp");
      fs::create_directories(spool / "incoming");
      deliver(spool, forged_bundle(t.path()), "victim-forged");
      deliver(spool, samples().bundle("clean-letter"), "victim-clean");
      ::setenv("SOT_FAULT_KILL_AT", (std::string(step) + ":victim").c_str(), 1);
      int pid = start_daemon(spool, log, 1);
      ::unsetenv("SOT_FAULT_KILL_AT");
      CHECK(wait_for(pid) != 0);  // killed at the step
      pid = start_daemon(spool, log, 1);
      const bool done = wait_until([&] { return decided(spool) == 2; }, 60s);
      ::kill(pid, SIGTERM);
      CHECK(wait_for(pid) == 0);
      INFO(read_file(log));
      REQUIRE(done);
      // The forged bundle: rejected for what it is, never registered on its own word.
      CHECK(fs::is_empty(spool / "review"));
      REQUIRE(fs::exists(spool / "rejected" / "victim-forged" / "result" / "report.json"));
      CHECK(codes_in(spool / "rejected" / "victim-forged" / "result" / "report.json") ==
            std::set<std::string>{"BUNDLE_MALFORMED"});
      CHECK(fs::exists(spool / "rejected" / "victim-forged" / "result" / "notice.pdf"));
      REQUIRE(fs::exists(spool / "registered" / "victim-clean" / "result" / "receipt.pdf"));
      // The registry and the directories agree, numbers gap-free, nothing left half-done.
      const auto recorded = registry_outcomes(spool);
      CHECK(recorded.at("victim-forged") == "rejected/victim-forged");
      CHECK(recorded.at("victim-clean") == "registered/victim-clean");
      check_registry(spool, 1);
      CHECK(count_in(spool / "active") == 0);
    }
  }
}

TEST_CASE("kill -9 at each step of a clerk's decision: finished if committed, else undone",
          "[daemon][kill][trust]") {
  for (const char* step : {"claimed", "committed", "report", "moved"}) {
    DYNAMIC_SECTION("the clerk's command killed at '" << step << "'") {
      TempDir t;
      const fs::path spool = t.path() / "spool";
      const fs::path log = t.path() / "log";
      fs::create_directories(spool / "tmp");
      fs::create_directories(spool / "incoming");
      deliver(spool, samples().bundle("duplicate-file"), "to-decide");
      int pid = start_daemon(spool, log, 1);
      REQUIRE(wait_until([&] { return decided(spool) == 1; }, 60s));
      ::kill(pid, SIGTERM);
      CHECK(wait_for(pid) == 0);
      REQUIRE(fs::exists(spool / "review" / "to-decide"));
      ::setenv("SOT_FAULT_KILL_AT", (std::string(step) + ":to-decide").c_str(), 1);
      std::vector<std::string> argv = {SOT_INTAKE_BIN, "review",      "register",
                                       "to-decide",    "--config",    samples().config().string(),
                                       "--spool",      spool.string()};
      for (const auto& a : registry_args(spool)) argv.push_back(a);
      const auto cli = run_process(argv);
      ::unsetenv("SOT_FAULT_KILL_AT");
      CHECK(cli.exit_code != 0);          // killed at the step
      pid = start_daemon(spool, log, 1);  // its start-up recovery
      // Settled when the second start has finished its recovery and watches the spool.
      const bool settled = wait_until(
          [&] {
            const std::string text = read_file(log);
            std::size_t starts = 0;
            for (std::size_t at = 0; (at = text.find("watching ", at)) != std::string::npos; ++at)
              ++starts;
            return starts == 2 && fs::is_empty(spool / "deciding");
          },
          30s);
      ::kill(pid, SIGTERM);
      CHECK(wait_for(pid) == 0);
      INFO(read_file(log));
      REQUIRE(settled);
      const auto recorded = registry_outcomes(spool);
      if (std::string(step) == "claimed") {
        // Nothing committed: the decision never happened.
        CHECK(fs::exists(spool / "review" / "to-decide" / "result" / "report.json"));
        CHECK(recorded.at("to-decide") == "review/to-decide");
        check_registry(spool, 0);
      } else {
        REQUIRE(fs::exists(spool / "registered" / "to-decide" / "result" / "receipt.pdf"));
        const auto report = nlohmann::json::parse(
            read_file(spool / "registered" / "to-decide" / "result" / "report.json"));
        CHECK(report["outcome"] == "registered");
        CHECK(report["registration_number"].is_string());
        CHECK(recorded.at("to-decide") == "registered/to-decide");
        check_registry(spool, 1);
      }
    }
  }
}
