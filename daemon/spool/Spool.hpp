// The submission spool (spec §1): the queue state is the directory, after Postfix.
//
//   tmp/          the portal's staging area (never read)
//   incoming/     complete bundles, renamed in by the portal
//   active/       claimed by this daemon, being processed (internal)
//   registered/ rejected/ review/   outcomes: the untouched bundle plus result/
//   quarantine/   entries of incoming/ that are not bundles (bad names, links, plain files)
//   state/        the registry database
//
// A bundle moves only by rename(2) inside the spool's filesystem, each followed by fsync of
// both directories; its original files are never edited. The decision is written into
// active/<id>/result/ (report.json, fsynced, renamed into place) before the bundle is renamed
// into its outcome directory, so after a crash a bundle in active/ either has its complete
// report (finish the move) or has none (processed again where it is). A failed fsync
// or rename is not retried and ignored: it throws SpoolError and the service stops.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Pipeline.hpp"

namespace sot::spool {

class SpoolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for a bundle id of spec §1: [A-Za-z0-9._-]{1,128}, not starting with '.'.
bool is_bundle_id(std::string_view name);

using sot::Outcome;
// The outcome directory's name: "registered", "rejected" or "review".
std::string directory_of(Outcome o);

struct Recovered {
  std::vector<std::string> finished;  // active/ bundles whose report was complete: moved out
  std::vector<std::string> resume;    // active/ bundles without a report: to process again
};

class Spool {
 public:
  // Creates the directories it needs (mode 0750). Throws SpoolError.
  explicit Spool(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path incoming() const { return root_ / "incoming"; }
  std::filesystem::path active() const { return root_ / "active"; }
  std::filesystem::path state() const { return root_ / "state"; }
  std::filesystem::path outcome_dir(Outcome o) const { return root_ / directory_of(o); }

  // Entries of incoming/, oldest first (by modification time, then name). Non-bundles are
  // moved to quarantine/ on the way and returned in `quarantined`.
  std::vector<std::string> scan_incoming(std::vector<std::string>* quarantined);

  // Claims incoming/<id> by renaming it into active/. False if it is gone (claimed by another
  // worker or daemon, or withdrawn).
  bool claim(const std::string& id);

  // Writes active/<id>/result/<name> durably (temp file, fsync, rename, fsync directory).
  void write_result(const std::string& id, const std::string& name, const std::string& data);
  // The complete report of a bundle in active/, if one was written.
  std::optional<nlohmann::json> finished_report(const std::string& id) const;

  // Renames active/<id> into its outcome directory and returns the name it got there: the id,
  // or id.N when an earlier bundle with the same id was already decided (never overwritten).
  std::string finish(const std::string& id, Outcome o);

  // Start-up: bundles left in active/ are finished, or listed to be processed again.
  Recovered recover();

  // Bundles currently in active/ (being processed, or left by a crash).
  std::vector<std::string> list_active() const;

 private:
  void quarantine(const std::string& name);
  std::filesystem::path root_;
};

// fsync of a directory or file; throws SpoolError (a failed fsync is never ignored).
void fsync_path(const std::filesystem::path& p);
// rename(2) + fsync of both parent directories; throws SpoolError, except that a missing
// source returns false (somebody else moved it).
bool durable_rename(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace sot::spool
