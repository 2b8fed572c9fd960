// `sot-intake check` (spec §4): runs the pipeline over bundles in place, moves nothing, and
// prints each report.json as one JSON line, in the order the bundles were given. A bundle
// that cannot be processed still gets its line (PROCESSING_FAILED); configuration problems
// are the caller's (exit 2).
//
// The bundles are analysed in the daemon's sandboxed worker processes (this binary with
// --analysis-worker), several at a time: a parser that crashes or hangs on a hostile file
// costs that bundle's line a PROCESSING_FAILED, never the other bundles' lines. It fails
// closed: where no sandboxed worker can start, every bundle gets PROCESSING_FAILED and stderr
// says why; hostile bytes are parsed in this process only when asked (--in-process).
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "core/Time.hpp"

namespace sot::cli {

struct CheckOptions {
  std::optional<std::filesystem::path> config_file;
  std::optional<std::filesystem::path> trust_dir;
  std::optional<std::filesystem::path> crl_dir;
  std::optional<std::filesystem::path> intermediates_dir;
  std::vector<std::filesystem::path> bundles;
  unsigned jobs = 0;  // bundles analysed at once; 0: the config's workers
  std::chrono::seconds bundle_timeout{120};
};

// Loads the config (shipped defaults without a file) and applies the flag overrides.
// Throws ConfigError / rules::RulesError.
Config resolve_config(const CheckOptions& opts);

// How the bundles are analysed: in worker processes started as `worker_argv` (empty: in this
// process, one after another — no isolation).
struct CheckRun {
  std::vector<std::string> worker_argv;
  unsigned jobs = 1;
  std::chrono::seconds bundle_timeout{120};
};

// Processes every bundle, writing one report line each to `out` in the order given. Returns
// the number of bundles processed. Throws ConfigError / rules::RulesError before any line.
size_t run_check(const Config& config, const std::vector<std::filesystem::path>& bundles,
                 const CheckRun& run, const Clock& clock, std::ostream& out);

}  // namespace sot::cli
