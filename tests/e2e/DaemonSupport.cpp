#include "e2e/DaemonSupport.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <map>
#include <thread>

#include "support/Process.hpp"

namespace sot::test {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

Samples::Samples() {
  REQUIRE(run_process({SOT_SAMPLES_BIN, dir.path().string()}).exit_code == 0);
  for (const auto& e : fs::directory_iterator(dir.path() / "expected"))
    expected[e.path().stem().string()] = json::parse(read_file(e.path()));
}

std::string Samples::submission_id(const std::string& id) const {
  return json::parse(read_file(bundle(id) / "manifest.json"))["submission_id"].get<std::string>();
}

const Samples& samples() {
  static const Samples s;
  return s;
}

// Delivers a copy of `from` as incoming/<id> the way the portal does.
void deliver(const fs::path& spool, const fs::path& from, const std::string& id) {
  const fs::path staged = spool / "tmp" / id;
  fs::copy(from, staged, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::rename(staged, spool / "incoming" / id);
}

int count_in(const fs::path& dir) {
  std::error_code ec;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    (void)e;
    ++n;
  }
  return n;
}

int decided(const fs::path& spool) {
  return count_in(spool / "registered") + count_in(spool / "rejected") + count_in(spool / "review");
}

bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

int start_daemon(const fs::path& spool, const fs::path& log, int workers) {
  return spawn_background({SOT_INTAKED_BIN, "--config", samples().config().string(), "--spool",
                           spool.string(), "--workers", std::to_string(workers)},
                          log.string());
}

// Registration numbers in the registry: all distinct and 1..n per court and year.
void check_registry(const fs::path& spool, int registered_bundles) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((spool / "state" / "registry.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                          nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "ok");
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db,
                     "SELECT court, reg_year, COUNT(*), MIN(reg_seq), MAX(reg_seq), "
                     "COUNT(DISTINCT reg_seq) FROM bundles WHERE reg_seq IS NOT NULL "
                     "AND outcome='registered' GROUP BY court, reg_year",
                     -1, &st, nullptr);
  int total = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const int n = sqlite3_column_int(st, 2);
    total += n;
    CHECK(sqlite3_column_int(st, 3) == 1);
    CHECK(sqlite3_column_int(st, 4) == n);  // gap-free
    CHECK(sqlite3_column_int(st, 5) == n);  // no number twice
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  CHECK(total == registered_bundles);
}

std::map<std::string, std::string> registry_outcomes(const fs::path& spool) {
  std::map<std::string, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((spool / "state" / "registry.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                      nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT id, outcome, placed_as FROM bundles WHERE state='decided'", -1,
                     &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
        std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) + "/" +
        reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

int start_daemon_with(const fs::path& spool, const fs::path& log,
                      const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {SOT_INTAKED_BIN, "--spool", spool.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return spawn_background(argv, log.string());
}

fs::path write_config(const fs::path& dir, const std::string& extra) {
  const fs::path pki = samples().pki();
  const fs::path file = dir / "sot-intake.toml";
  write_file(file,
             "[signature]\ntrust_dir = \"" + (pki / "trust").string() +
                 "\"\nintermediates_dir = \"" + (pki / "intermediates").string() +
                 "\"\ncrl_dir = \"" + (pki / "crl").string() + "\"\n" + extra +
                 (extra.find("[http]") == std::string::npos ? "\n[http]\nlisten = \"\"\n" : ""));
  return file;
}

}  // namespace sot::test
