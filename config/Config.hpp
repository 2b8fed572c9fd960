// Service configuration (config/sot-intake.toml): spool, trust anchors, CRLs, rules file,
// workers and input limits. The shipped file is compiled in and used when no --config is
// given; command-line flags override single values after loading.
// Errors name the file, the key and what is wrong (ConfigError).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/Bundle.hpp"
#include "core/DocumentFacts.hpp"

namespace sot {

struct Config {
  std::string source;  // where it came from, for messages
  std::filesystem::path spool_root;
  std::filesystem::path trust_dir;
  std::filesystem::path intermediates_dir;
  std::filesystem::path crl_dir;
  std::filesystem::path rules_file;  // empty: the shipped rules
  unsigned workers = 0;              // 0: hardware concurrency
  BundleLimits bundle_limits;
  FactsLimits facts_limits;
  std::int64_t clock_skew_seconds = 300;
  bool report_local_offset = false;
  std::int32_t report_offset_minutes = 300;

  unsigned effective_workers() const;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `base_dir` resolves relative paths (the config file's directory).
Config load_config(std::string_view toml_text, const std::string& source,
                   const std::filesystem::path& base_dir);
Config load_config_file(const std::filesystem::path& path);
Config shipped_config();

// What a worker process needs of the daemon's effective config (paths already resolved).
nlohmann::json config_to_json(const Config& c);
Config config_from_json(const nlohmann::json& j);

}  // namespace sot
