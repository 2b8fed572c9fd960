// Shared by the end-to-end tests of the daemon and of the operators' commands: the generated
// samples, delivery the way the portal delivers, and waiting for outcomes.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/TestBundle.hpp"

namespace sot::test {

struct Samples {
  TempDir dir;
  std::map<std::string, nlohmann::json> expected;
  Samples();
  std::filesystem::path bundle(const std::string& id) const { return dir.path() / "bundles" / id; }
  std::filesystem::path config() const { return dir.path() / "config.toml"; }
  std::filesystem::path pki() const { return dir.path() / "pki"; }
  // The submission id in a sample's manifest.
  std::string submission_id(const std::string& id) const;
};
const Samples& samples();

// Delivers a copy of `from` as incoming/<id> the way the portal does (tmp/, then rename).
void deliver(const std::filesystem::path& spool, const std::filesystem::path& from,
             const std::string& id);
int count_in(const std::filesystem::path& dir);
int decided(const std::filesystem::path& spool);
// The registry's decided bundles: id → "outcome/placed_as".
std::map<std::string, std::string> registry_outcomes(const std::filesystem::path& spool);
bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit);
// The registry URL of a spool's daemon: "" (its own SQLite file), or, when the tests run on
// PostgreSQL (SOT_TEST_REGISTRY=postgresql), a fresh database of the test server per spool;
// and the arguments that name it to sot-intaked and sot-intake.
std::string registry_url(const std::filesystem::path& spool);
std::vector<std::string> registry_args(const std::filesystem::path& spool);
int start_daemon(const std::filesystem::path& spool, const std::filesystem::path& log,
                 int workers = 2);
// Starts the daemon with extra arguments after the samples config and the spool.
int start_daemon_with(const std::filesystem::path& spool, const std::filesystem::path& log,
                      const std::vector<std::string>& extra);
// Registration numbers in the registry: all distinct and 1..n per court and year.
void check_registry(const std::filesystem::path& spool, int registered_bundles);
void check_registry_url(const std::string& url, const std::filesystem::path& spool,
                        int registered_bundles);
// A config file for the samples' PKI plus `extra` TOML (sections of its own).
std::filesystem::path write_config(const std::filesystem::path& dir, const std::string& extra);

}  // namespace sot::test
