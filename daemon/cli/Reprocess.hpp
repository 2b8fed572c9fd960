// `sot-intake reprocess`: runs today's checks again over a backlog — a directory of bundles,
// or the bundles the registry holds in some outcome ("all rejected since 2025-09-01") — in
// parallel in sandboxed analysis worker processes, and reports what would change.
//
// Resumable: every finished bundle is appended (and fsynced) to a state file; the same command
// run again after an interruption skips what is done. Progress goes to stderr: a bar with
// done/total, rate and ETA on a terminal, plain lines otherwise. At the end: a table of
// outcomes before → after, which codes appeared or went, and a CSV and/or JSON of every bundle
// whose outcome would change.
//
// Nothing already decided changes unless --apply is given; then each change is made like a
// clerk's decision (same durability rules, audit entry with who, before and after). A
// registered bundle keeps its registration: a change to it is listed, never applied.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/Config.hpp"

namespace sot::cli {

struct ReprocessOptions {
  Config config;
  std::optional<std::filesystem::path> backlog_dir;  // either this …
  std::string outcome;                               // … or registry states: outcome or "all"
  std::string since;                                 // YYYY-MM-DD or RFC 3339 ("" any)
  std::string court;
  unsigned workers = 0;  // 0: config
  std::optional<std::filesystem::path> state_file;
  bool restart = false;  // discard the state file's progress
  std::optional<std::filesystem::path> csv_out, json_out;
  bool apply = false;
  std::string progress = "auto";  // auto | bar | lines | none
  std::string actor;              // who runs it (for the audit trail)
  std::string self_exe;           // starts the analysis workers (--analysis-worker)
};

// Returns the exit status (0 done, 1 failed, 2 usage/configuration error).
int run_reprocess(const ReprocessOptions& o);

}  // namespace sot::cli
