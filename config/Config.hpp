// Service configuration (config/sot-intake.toml): spool, trust anchors, CRLs, rules file,
// workers and input limits. The shipped file is compiled in and used when no --config is
// given; command-line flags override single values after loading.
// Errors name the file, the key and what is wrong (ConfigError).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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
  // Registration numbers: {court}, {year} or {yy}, {seq} or {seq:N} (zero-padded to N).
  std::string number_format = "{court}-{year}-{seq:06}";
  // The registry: "" (the spool's state/registry.sqlite), "sqlite:PATH", or a libpq URI
  // "postgresql://…" shared by several daemons on several hosts.
  std::string registry_url;
  // This daemon among several ("" : host name and pid), in logs, metrics and its leases.
  std::string instance;
  // A claimed bundle's lease: renewed every third of it; another daemon takes the bundle over
  // when its holder has not renewed it for this long.
  unsigned lease_seconds = 30;
  // The daemon's HTTP endpoint (/metrics, /healthz, status, review): a loopback address and
  // port; empty: none.
  std::string http_listen = "127.0.0.1:8470";
  // Names the endpoint answers to in the Host header, beside the listen address, localhost,
  // 127.0.0.1 and [::1] (a reverse proxy's name, say); any other Host is refused (421).
  std::vector<std::string> http_hosts;
  // Below this much free space on the spool's filesystem the daemon claims nothing new.
  std::uint64_t min_free_bytes = 256ull << 20;
  // Clerks of the review UI (`sot-intake users` writes it); empty: the UI refuses logins.
  std::filesystem::path users_file;
  // The review queue's target: a bundle waiting longer is shown late (and at three quarters of
  // it, nearly late).
  unsigned review_target_hours = 24;

  // The court's key and certificate (PEM; the certificate file may carry its chain) that sign
  // receipts and notices (result/*.p7s); empty: unsigned.
  std::filesystem::path outcome_signing_key;
  std::filesystem::path outcome_signing_cert;
  // Retention: files of rejected bundles purged after this many days (0: never); registered
  // bundles moved to archive_dir after registered_archive_days (0: never); how often the
  // daemon looks (retention/Retention.hpp).
  unsigned retention_rejected_files_days = 30;
  unsigned retention_registered_archive_days = 0;
  std::filesystem::path retention_archive_dir;
  unsigned retention_interval_minutes = 60;
  // Notifications to the portal («Хабарламалар», notify/Notifier.hpp): every status change of
  // a submission POSTed to `url` with an HMAC-SHA256 signature; empty url: none.
  struct Notify {
    std::string url;                // https:// (http:// to a loopback relay only)
    std::string secret;             // HMAC key (or [notify] secret_file)
    std::filesystem::path ca_file;  // the receiver's CA; empty: the system's
    unsigned timeout_seconds = 10;  // per request
    unsigned max_backoff_seconds = 300;
    unsigned dead_after_hours = 72;  // then dead-lettered (sot-intake notify retry)
  } notify;
  // Pre-flight of drafts (POST /api/preflight, spec §6).
  struct Preflight {
    std::string token;                  // the portal's bearer token; empty: the endpoint is off
    std::filesystem::path work_dir;     // empty: $STATE_DIRECTORY/preflight or a private temp dir
    unsigned max_concurrent = 1;        // drafts checked at once (below the real queue's workers)
    unsigned max_queued = 16;           // drafts waiting beyond those (more: 503)
    unsigned rate_per_minute = 30;      // requests per token, with a burst of as many
    unsigned retention_seconds = 3600;  // results kept this long, then 404
  } preflight;

  unsigned effective_workers() const;
};

// The registration number of sequence `seq` of (court, year) in `format` (validated).
std::string format_registration_number(const std::string& format, const std::string& court,
                                       int year, long long seq);
// Why `format` cannot number registrations (unknown placeholder, no {seq}/{court}/{year}),
// or empty when it can.
std::string number_format_problem(const std::string& format);

struct ListenAddress {
  std::string host;  // a loopback address literal
  unsigned short port = 0;
};
// "127.0.0.1:8470", "[::1]:8470", "localhost:8470"; nullopt when not a loopback host:port.
std::optional<ListenAddress> parse_listen_address(const std::string& text);

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
