#include "e2e/DaemonSupport.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "registry/Registry.hpp"
#include "support/PgServer.hpp"
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

std::string registry_url(const fs::path& spool) {
  if (test_registry_backend() != "postgresql") return "";
  static std::mutex m;
  static std::map<fs::path, std::string> urls;
  std::lock_guard lock(m);
  auto& url = urls[fs::absolute(spool)];
  if (url.empty()) url = PgServer::shared().new_database();
  return url;
}

std::vector<std::string> registry_args(const fs::path& spool) {
  const std::string url = registry_url(spool);
  return url.empty() ? std::vector<std::string>{} : std::vector<std::string>{"--registry", url};
}

int start_daemon(const fs::path& spool, const fs::path& log, int workers) {
  std::vector<std::string> argv = {
      SOT_INTAKED_BIN, "--config",  samples().config().string(), "--spool",
      spool.string(),  "--workers", std::to_string(workers)};
  for (const auto& a : registry_args(spool)) argv.push_back(a);
  return spawn_background(argv, log.string());
}

// Registration numbers in the registry: all distinct and 1..n per court and year.
void check_registry(const fs::path& spool, int registered_bundles) {
  check_registry_url(registry_url(spool), spool, registered_bundles);
}

void check_registry_url(const std::string& url, const fs::path& spool, int registered_bundles) {
  auto reg = registry::open_registry(url, spool, true);
  CHECK(reg->integrity_check() == "ok");  // the database's own check, and gap-free counters
  std::map<std::pair<std::string, long long>, std::set<long long>> seqs;
  int total = 0;
  for (const auto& row : reg->rows("bundles")) {
    if (row["reg_seq"].is_null() || row["outcome"] != "registered") continue;
    ++total;
    const auto key =
        std::make_pair(row["court"].get<std::string>(), row["reg_year"].get<long long>());
    CHECK(seqs[key].insert(row["reg_seq"].get<long long>()).second);  // no number twice
  }
  for (const auto& [key, s] : seqs) {
    CHECK(*s.begin() == 1);
    CHECK(*s.rbegin() == static_cast<long long>(s.size()));  // gap-free
  }
  CHECK(total == registered_bundles);
}

std::map<std::string, std::string> registry_outcomes(const fs::path& spool) {
  std::map<std::string, std::string> out;
  std::unique_ptr<registry::Registry> reg;
  try {
    reg = registry::open_registry(registry_url(spool), spool, true);
  } catch (const registry::RegistryError&) {
    return out;  // not made yet
  }
  for (const auto& r : reg->list({}))
    if (r.state == "decided") out[r.id] = r.outcome + "/" + r.placed_as;
  return out;
}

int start_daemon_with(const fs::path& spool, const fs::path& log,
                      const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {SOT_INTAKED_BIN, "--spool", spool.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const auto& a : registry_args(spool)) argv.push_back(a);
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
