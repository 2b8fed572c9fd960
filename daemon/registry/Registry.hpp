// The registry of filings: SQLite in WAL mode with synchronous=FULL. Every bundle, each state
// transition with its time, its outcome, its report, and gap-free registration numbers per
// court and year, assigned in the transaction that records them.
//
// The rename of a bundle and a registry commit cannot be atomic together: the intent (the
// number, the claim) is committed first, the directories are the truth for where a bundle
// is, and reconcile() records at start-up any outcome directory the registry does not know.
// A failed write throws RegistryError; the service stops rather than carry on unrecorded.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace sot::registry {

class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Registry {
 public:
  explicit Registry(const std::filesystem::path& file);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  void transition(const std::string& bundle, const std::string& state,
                  const std::optional<std::string>& submission_id = std::nullopt);

  // The bundle's registration number: the one it already has, or the next of (court, year),
  // written as COURT-YEAR-NNNNNN.
  std::string assign_number(const std::string& bundle, const std::string& court, int year);

  // The decision: the name it got in its outcome directory, the outcome, the report.
  void record_outcome(const std::string& bundle, const std::string& placed_as,
                      const std::string& outcome, const nlohmann::json& report);

  // Has this bundle id already been decided?
  bool decided(const std::string& bundle);

  // Records bundles found in outcome directories that the registry has not (a crash between
  // the rename and the commit). Returns how many.
  int reconcile(const std::filesystem::path& spool_root);

  std::string integrity_check();
  // Bundles in a state or with an outcome of that name.
  int count(const std::string& state_or_outcome);

 private:
  void exec(const char* sql);
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
};

}  // namespace sot::registry
