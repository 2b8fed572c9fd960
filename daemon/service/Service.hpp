// sot-intaked's service loop: watches incoming/ (inotify, and a periodic rescan so nothing
// is missed after an overflow or a restart), claims bundles oldest first, runs the pipeline
// on N worker threads, writes result/report.json, records the registry, and renames each
// bundle into exactly one outcome directory.
//
// Signals: SIGTERM/SIGINT stop claiming, finish the bundles in flight, and return; SIGHUP
// reloads the config file and rules into a new pipeline (a broken file keeps the old one,
// with a log line saying why). Every log line carries the bundle id: as the journal field
// SOT_BUNDLE under systemd (stderr connected to the journal), in brackets otherwise.
//
// HTTP (http.listen, loopback only): /healthz, /metrics (Prometheus), /api/status/<submission
// id> (the filer's status), and the clerks' review UI under /review.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "http/HttpServer.hpp"
#include "outcome/Signer.hpp"
#include "preflight/Preflight.hpp"
#include "registry/Registry.hpp"
#include "service/Metrics.hpp"
#include "service/WorkQueue.hpp"
#include "spool/Spool.hpp"
#include "worker/AnalysisWorker.hpp"

namespace sot::review {
class ReviewUi;
}

namespace sot::service {

struct ServiceOptions {
  std::optional<std::filesystem::path> config_file;  // reloaded on SIGHUP
  std::optional<std::filesystem::path> spool;
  std::optional<std::string> registry_url;
  std::optional<std::filesystem::path> trust_dir;
  std::optional<std::filesystem::path> crl_dir;
  std::optional<std::filesystem::path> intermediates_dir;
  std::optional<unsigned> workers;
  std::optional<std::string> http_listen;  // overrides http.listen ("" for none)
  std::chrono::milliseconds rescan_interval{2000};
  // How to start an analysis worker process (empty: analyse in-process, for tests).
  std::vector<std::string> worker_argv;
  worker::WorkerLimits worker_limits;
};

// The config the options name, with the command-line overrides applied.
Config resolve_config(const ServiceOptions& o);

class Service {
 public:
  explicit Service(ServiceOptions options);
  ~Service();

  // Runs until SIGTERM/SIGINT (or stop()). Returns the process exit status.
  int run();
  void stop() { stopping_ = true; }

  // One bundle this daemon holds the registry's lease on, start to end: moves it from
  // incoming/ into active/ (unless it is there already: taken over, or left by a crash),
  // finishes a committed decision or decides it, and moves it into its outcome directory.
  // Every registry write carries the lease's token. Returns the outcome directory name used
  // ("" when the bundle was gone).
  std::string process(const WorkItem& item, worker::AnalysisWorker* worker = nullptr);

  const std::string& instance() const { return instance_; }

 private:
  enum class Level { kError = 3, kWarning = 4, kInfo = 6 };
  void reload();
  std::shared_ptr<const Pipeline> pipeline() const;
  std::shared_ptr<const outcome::OutcomeSigner> signer() const;
  Config config_snapshot() const;  // config_ may be replaced by a reload at any time
  void log(const std::string& bundle, const std::string& message, Level level = Level::kInfo) const;
  // Start-up: finishes the decisions the registry committed, processes the rest again
  // (Recovery.hpp).
  void recover();
  http::Response serve(const http::Request& req);
  // Records what incoming/ holds as waiting in the registry (each new one as received, its
  // arrival acknowledged), then claims the oldest waiting bundles (of any daemon's scan) up to
  // this daemon's bound of bundles in flight.
  void rescan();
  void claim();
  // Renews the leases of the bundles claimed and not yet decided; every third of a lease.
  void keep_leases();
  void held(const WorkItem& item, bool on);
  // Start-up: the leases of this host's daemons that are no longer running expire now.
  void expire_dead_leases();

  ServiceOptions options_;
  Config config_;
  std::unique_ptr<spool::Spool> spool_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<WorkQueue> queue_;
  Metrics metrics_;
  std::unique_ptr<preflight::Preflight> preflight_;  // before http_: outlives its handlers
  std::unique_ptr<http::Server> http_;
  std::unique_ptr<review::ReviewUi> review_ui_;
  mutable std::mutex arrivals_mutex_;
  std::map<std::string, std::chrono::system_clock::time_point> arrivals_;
  std::atomic<bool> claiming_{true};  // false while the spool's filesystem is short of space
  std::string instance_;              // [daemon] instance, or host name:pid
  std::chrono::milliseconds lease_{30000};
  mutable std::mutex held_mutex_;
  std::map<std::string, registry::Token> held_;                        // claimed, not yet decided
  std::map<std::string, std::chrono::system_clock::time_point> seen_;  // enqueued by this scan
  std::chrono::steady_clock::time_point seen_since_{};
  std::atomic<bool> registry_up_{true};
  std::atomic<bool> fatal_{false};
  int wake_fd_ = -1;  // eventfd: a worker asks for a rescan when the queue runs low
  bool journal_ = false;
  mutable std::mutex pipeline_mutex_;
  std::shared_ptr<const Pipeline> pipeline_;
  std::atomic<unsigned> generation_{0};  // bumped by a reload: workers restart with it
  std::shared_ptr<const outcome::OutcomeSigner> signer_;  // under pipeline_mutex_
  std::string worker_init_;  // what a worker starts from (under pipeline_mutex_)
  std::atomic<bool> stopping_{false};
};

}  // namespace sot::service
