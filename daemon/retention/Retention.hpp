// Retention (the portal keeps uploaded files one month): the files of rejected bundles are
// purged N days after the refusal — manifest.json, its signature, result/ and every file's
// SHA-256 and size stay — registered bundles are never purged by the daemon (they are handed
// over to the court's case management) but may be moved to an archive directory after N days,
// and a bundle under legal hold is left alone. Every purge and move is audited in the
// registry, and written down in the bundle's result/retention.json, before a file goes.
//
// Runs inside the daemon on a timer and as `sot-intake retention run [--dry-run]`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Time.hpp"
#include "registry/Registry.hpp"
#include "spool/Spool.hpp"

namespace sot::retention {

struct Policy {
  unsigned rejected_files_days = 30;     // 0: never purge
  unsigned registered_archive_days = 0;  // 0: never move
  std::filesystem::path archive_dir;     // where registered bundles go (same filesystem)
};

struct Action {
  std::string bundle;
  std::string placed;  // "<outcome>/<placed_as>"
  std::string action;  // purge | archive | held | failed
  nlohmann::json detail = nlohmann::json::object();
};

// What is due at `now` (and, unless `dry_run`, done): one Action per bundle acted on or held
// back. `actor` names who ran it in the audit trail.
std::vector<Action> run(spool::Spool& spool, registry::Registry& registry, const Policy& policy,
                        SysSeconds now, bool dry_run, const std::string& actor);

// A legal hold (audited): while on, retention leaves the bundle as it is.
void set_hold(registry::Registry& registry, const std::string& bundle, bool on,
              const std::string& actor, const std::string& note);

}  // namespace sot::retention
