// The submission spool (spec §1): the queue state is the directory, after Postfix.
//
//   tmp/          the portal's staging area (never read)
//   incoming/     complete bundles, renamed in by the portal
//   active/       claimed by this daemon, being processed (internal)
//   registered/ rejected/ review/   outcomes: the untouched bundle plus result/
//   quarantine/   entries of incoming/ that are not bundles (bad names, links, plain files)
//   deciding/     review bundles a clerk is deciding (internal)
//   set-aside/    what a bundle brought beside manifest.json, manifest.json.p7s and files/
//                 (a `result` included), and a reprocessed bundle's earlier result/, kept as
//                 evidence under <bundle>.<stamp>/ — never read, followed or trusted
//   state/        the registry database
//
// A bundle moves only by rename(2) inside the spool's filesystem, each followed by fsync of
// both directories; its original files are never edited. The registry is the state of
// record: a decision is committed there before anything below is written. Then whatever the
// bundle brought beside its three entries is set aside, the daemon's own result/ is written
// through directory descriptors (never following a link), and the bundle is renamed into its
// outcome directory. After a crash a bundle in active/ is finished from the registry's
// committed decision, or processed again from scratch; a result/ the registry did not commit
// is never taken for a decision. A failed fsync or rename is not retried and ignored: it
// throws SpoolError and the service stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Pipeline.hpp"
#include "core/UniqueFd.hpp"

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

class Spool {
 public:
  // Creates the directories it needs (mode 0750). Throws SpoolError.
  explicit Spool(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path incoming() const { return root_ / "incoming"; }
  std::filesystem::path active() const { return root_ / "active"; }
  std::filesystem::path state() const { return root_ / "state"; }
  std::filesystem::path deciding() const { return root_ / "deciding"; }
  std::filesystem::path outcome_dir(Outcome o) const { return root_ / directory_of(o); }

  struct Incoming {
    std::string id;
    std::chrono::system_clock::time_point arrived;  // its rename into incoming/ (ctime)
  };
  // Entries of incoming/, oldest first (by modification time, then name). Non-bundles are
  // moved to quarantine/ on the way and returned in `quarantined`.
  std::vector<Incoming> scan_incoming(std::vector<std::string>* quarantined);

  // Free bytes on the spool's filesystem for an unprivileged writer.
  std::uint64_t free_bytes() const;

  // Claims incoming/<id> by renaming it into active/. False if it is gone (claimed by another
  // worker or daemon, or withdrawn).
  bool claim(const std::string& id);

  // Moves every entry of the bundle directory other than manifest.json, manifest.json.p7s and
  // files/ (a result/ included) into set-aside/<label>.<stamp>/, durably; returns where each
  // went ("set-aside/…"), empty when there was nothing.
  std::vector<std::string> set_aside(const std::filesystem::path& bundle_dir,
                                     const std::string& label);

  // Writes <bundle_dir>/result/<name> durably (temp file, fsync, rename, fsync directory),
  // through directory descriptors that never follow a link (active/ or deciding/).
  void write_result_at(const std::filesystem::path& bundle_dir, const std::string& name,
                       const std::string& data);
  // The daemon's complete report of a bundle (read_report).
  std::optional<nlohmann::json> report_at(const std::filesystem::path& bundle_dir) const;

  // Renames active/<id> into its outcome directory and returns the name it got there: the id,
  // or id.N when an earlier bundle with the same id was already decided (never overwritten).
  std::string finish(const std::string& id, Outcome o);

  // A clerk's decision on review/<placed_as>, under the same durability rules: the bundle is
  // claimed into deciding/ (false: another clerk or process has it, or it is gone), its new
  // result/ is written there, and it is renamed into its outcome directory.
  // (`from`: batch reprocessing may change a rejection too.)
  bool claim_for_decision(const std::string& placed_as, Outcome from = Outcome::kReview);
  std::string finish_decision(const std::string& placed_as, Outcome o);
  void abandon_decision(const std::string& placed_as, Outcome back_to = Outcome::kReview);
  // A clerk's "reprocess": a bundle claimed into deciding/ (its earlier result/ set aside)
  // goes back into incoming/ (false when it is gone or a bundle of that name is waiting).
  bool decision_to_incoming(const std::string& placed_as);
  // Bundles in deciding/ (a clerk's decision in progress, or left by a crash).
  std::vector<std::string> list_deciding() const;

  // Bundles currently in active/ (being processed, or left by a crash).
  std::vector<std::string> list_active() const;

 private:
  UniqueFd open_bundle(const std::filesystem::path& bundle_dir) const;
  void quarantine(const std::string& name);
  std::string move_to_outcome(const std::filesystem::path& from, const std::string& id, Outcome o);
  std::filesystem::path root_;
};

// <bundle_dir>/result/report.json when it is a complete report (an object with an outcome),
// read without following a link; the same as text.
std::optional<nlohmann::json> read_report(const std::filesystem::path& bundle_dir);
std::optional<std::string> read_report_text(const std::filesystem::path& bundle_dir);

// A bundle's manifest.json as bytes (no link followed, at most `max_bytes`; "" otherwise).
std::string read_manifest_bytes(const std::filesystem::path& bundle_dir, std::uint64_t max_bytes);
// A bundle's manifest.json parsed (read without following links, at most `max_bytes`, with the
// manifest parser's limits): its submission_id and resubmission_of when they are valid, even
// when another field is not. Empty when there is no readable manifest.
ManifestParseResult peek_manifest(const std::filesystem::path& bundle_dir, std::uint64_t max_bytes);
// The submission id a bundle's manifest.json names (read without following links, at most
// `max_bytes`, with the manifest parser's limits); nullopt when it has none that is valid.
std::optional<std::string> peek_submission_id(const std::filesystem::path& bundle_dir,
                                              std::uint64_t max_bytes);

// fsync of a directory or file; throws SpoolError (a failed fsync is never ignored).
void fsync_path(const std::filesystem::path& p);
// rename(2) + fsync of both parent directories; throws SpoolError, except that a missing
// source returns false (somebody else moved it).
bool durable_rename(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace sot::spool
