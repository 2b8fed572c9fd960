// sot-intaked's service loop: watches incoming/ (inotify, and a periodic rescan so nothing
// is missed after an overflow or a restart), claims bundles oldest first, runs the pipeline
// on N worker threads, writes result/report.json, records the registry, and renames each
// bundle into exactly one outcome directory.
//
// Signals: SIGTERM/SIGINT stop claiming, finish the bundles in flight, and return; SIGHUP
// reloads the config file and rules into a new pipeline (a broken file keeps the old one,
// with a log line saying why). Every log line carries the bundle id.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"
#include "registry/Registry.hpp"
#include "spool/Spool.hpp"
#include "worker/AnalysisWorker.hpp"

namespace sot::service {

struct ServiceOptions {
  std::optional<std::filesystem::path> config_file;  // reloaded on SIGHUP
  std::optional<std::filesystem::path> spool;
  std::optional<std::filesystem::path> trust_dir;
  std::optional<std::filesystem::path> crl_dir;
  std::optional<unsigned> workers;
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

  // Runs until SIGTERM/SIGINT (or stop()). Returns the process exit status.
  int run();
  void stop() { stopping_ = true; }

  // One bundle, start to end (exposed for tests): claims it from incoming/ unless
  // `already_active`, decides it and moves it. Returns the outcome directory name used.
  std::string process(const std::string& id, bool already_active,
                      worker::AnalysisWorker* worker = nullptr);

 private:
  void reload();
  std::shared_ptr<const Pipeline> pipeline() const;
  void log(const std::string& bundle, const std::string& message) const;
  // result/notice.{pdf,json} for a rejected bundle, result/receipt.{pdf,json} for a
  // registered one (before the bundle moves, under the same durability rules as report.json).
  void write_outcome_documents(const std::string& id, const nlohmann::json& report,
                               const rules::RuleSet& rules);

  ServiceOptions options_;
  Config config_;
  std::unique_ptr<spool::Spool> spool_;
  std::unique_ptr<registry::Registry> registry_;
  mutable std::mutex pipeline_mutex_;
  std::shared_ptr<const Pipeline> pipeline_;
  std::atomic<unsigned> generation_{0};  // bumped by a reload: workers restart with it
  std::string worker_init_;              // what a worker starts from (under pipeline_mutex_)
  std::atomic<bool> stopping_{false};
};

}  // namespace sot::service
