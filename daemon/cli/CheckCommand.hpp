// `sot-intake check` (spec §4): runs the pipeline over bundles in place, moves nothing, and
// prints each report.json as one JSON line. A bundle that cannot be processed still gets its
// line (PROCESSING_FAILED); configuration problems are the caller's (exit 2).
#pragma once

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
  std::vector<std::filesystem::path> bundles;
};

// Loads the config (shipped defaults without a file) and applies the flag overrides.
// Throws ConfigError / rules::RulesError.
Config resolve_config(const CheckOptions& opts);

// Processes every bundle, writing one report line each to `out`. Returns the number of
// bundles processed.
size_t run_check(const Config& config, const std::vector<std::filesystem::path>& bundles,
                 const Clock& clock, std::ostream& out);

}  // namespace sot::cli
