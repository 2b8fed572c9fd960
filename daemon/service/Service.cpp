#include "service/Service.hpp"

#include "outcome/Notices.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <iostream>
#include <set>
#include <thread>
#include <vector>

#include "core/Report.hpp"

namespace sot::service {

namespace fs = std::filesystem;

Config resolve_config(const ServiceOptions& o) {
  Config c = o.config_file ? load_config_file(*o.config_file) : shipped_config();
  if (o.spool) c.spool_root = *o.spool;
  if (o.trust_dir) c.trust_dir = *o.trust_dir;
  if (o.crl_dir) c.crl_dir = *o.crl_dir;
  if (o.workers) c.workers = *o.workers;
  return c;
}

Service::Service(ServiceOptions options) : options_(std::move(options)) {
  config_ = resolve_config(options_);
  pipeline_ = build_pipeline(config_);
  worker_init_ =
      worker::make_worker_init(config_, pipeline_->rules().text, pipeline_->rules().source);
  spool_ = std::make_unique<spool::Spool>(config_.spool_root);
  registry_ = std::make_unique<registry::Registry>(spool_->state() / "registry.sqlite");
}

std::shared_ptr<const Pipeline> Service::pipeline() const {
  std::lock_guard lock(pipeline_mutex_);
  return pipeline_;
}

void Service::log(const std::string& bundle, const std::string& message) const {
  static std::mutex out;
  std::lock_guard lock(out);
  std::cerr << "sot-intaked[" << (bundle.empty() ? "-" : bundle) << "]: " << message << std::endl;
}

void Service::reload() {
  try {
    Config c = resolve_config(options_);
    auto p = build_pipeline(c);
    std::lock_guard lock(pipeline_mutex_);
    pipeline_ = std::move(p);
    config_ = std::move(c);
    worker_init_ =
        worker::make_worker_init(config_, pipeline_->rules().text, pipeline_->rules().source);
    ++generation_;
    log("", "reloaded configuration and rules (rules " + pipeline_->rules().version + ")");
  } catch (const std::exception& e) {
    log("", std::string("reload refused, keeping the current configuration: ") + e.what());
  }
}

namespace {
// A report for a bundle the pipeline could not decide: review, never the filer's fault.
PipelineResult failed_result(const std::string& id, const Pipeline& pipe, const std::string& why,
                             const char* stage) {
  PipelineResult r;
  r.bundle_id = id;
  r.processed_at = SystemClock{}.now();
  r.findings.push_back(
      {Finding{"PROCESSING_FAILED", stage, std::nullopt, std::nullopt, {{"reason", why}}},
       pipe.rules().severity("PROCESSING_FAILED", "")});
  r.outcome = Outcome::kReview;
  return r;
}
}  // namespace

void Service::write_outcome_documents(const std::string& id, const nlohmann::json& report,
                                      const rules::RuleSet& rules) {
  const std::string outcome = report.value("outcome", "");
  if (outcome != "rejected" && outcome != "registered") return;
  const auto dump = [](const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  };
  nlohmann::json record;
  std::string pdf;
  const char* name = outcome == "rejected" ? "notice" : "receipt";
  try {
    const auto info = outcome::read_filing_info(spool_->active() / id);
    if (outcome == "rejected") {
      record = outcome::make_notice(report, info, rules);
      pdf = outcome::render_notice_pdf(record, rules);
    } else {
      record = outcome::make_receipt(report, info);
      pdf = outcome::render_receipt_pdf(record, rules);
    }
  } catch (const std::exception& e) {
    // The outcome stands on report.json; a document that could not be made is logged and
    // can be made again from it (it never holds a bundle back).
    log(id, std::string("cannot make the ") + name + ": " + e.what());
    return;
  }
  spool_->write_result(id, std::string(name) + ".json", dump(record));
  spool_->write_result(id, std::string(name) + ".pdf", pdf);
}

std::string Service::process(const std::string& id, bool already_active,
                             worker::AnalysisWorker* worker) {
  if (!already_active && !spool_->claim(id)) return "";
  const auto pipe = pipeline();
  SystemClock clock;
  PipelineResult result;
  std::optional<std::string> number;
  const std::int32_t offset = config_.report_local_offset ? local_offset_minutes(clock.now())
                                                          : config_.report_offset_minutes;
  nlohmann::json report;
  std::optional<std::string> court_code;
  if (registry_->decided(id)) {
    // The same id again after its decision: a clerk sorts it out; the first stays as it is.
    result = failed_result(id, *pipe,
                           "a bundle with this id was already decided; this delivery is kept "
                           "apart for a clerk",
                           "spool");
    report = make_report(result, pipe->rules(), offset);
  } else {
    registry_->transition(id, "processing");
    if (worker) {
      worker::WorkerAnswer a = worker->run(spool_->active() / id);
      if (a.report) {
        report = std::move(*a.report);
        court_code = a.court_code;
      } else {
        log(id, "analysis failed: " + a.failure);
        result = failed_result(id, *pipe, a.failure, "worker");
        report = make_report(result, pipe->rules(), offset);
      }
    } else {
      result = pipe->run(spool_->active() / id, clock);
      court_code = result.court_code;
      report = make_report(result, pipe->rules(), offset);
    }
    if (report.value("outcome", "") == "registered") {
      const int year = static_cast<int>(local_date(clock.now(), offset).year());
      number = registry_->assign_number(id, court_code.value_or("0000"), year);
      report["registration_number"] = *number;
    }
  }
  spool_->write_result(id, "report.json",
                       report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  write_outcome_documents(id, report, pipe->rules());
  const std::string outcome = report.value("outcome", "review");
  const Outcome o = outcome == "registered" ? Outcome::kRegistered
                    : outcome == "rejected" ? Outcome::kRejected
                                            : Outcome::kReview;
  const std::string placed = spool_->finish(id, o);
  registry_->record_outcome(id, placed, spool::directory_of(o), report);
  std::string codes;
  for (const auto& f : report["findings"])
    codes += (codes.empty() ? "" : ",") + f.value("code", std::string("?"));
  log(id, spool::directory_of(o) + (number ? " " + *number : "") +
              (codes.empty() ? "" : " [" + codes + "]") + " in " +
              std::to_string(report.value("duration_ms", 0)) + " ms");
  return spool::directory_of(o);
}

int Service::run() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);  // before any thread starts: all inherit it
  const int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  const int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (sfd < 0 || ifd < 0 ||
      inotify_add_watch(ifd, spool_->incoming().c_str(), IN_MOVED_TO | IN_CREATE) < 0) {
    log("", "cannot watch " + spool_->incoming().string());
    return 1;
  }

  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::string, bool>> queue;  // (id, already in active/)
  std::set<std::string> pending;                   // queued or in flight
  std::atomic<bool> fatal{false};

  // Start-up: finish what a crash left half-moved, record what the registry missed.
  const auto recovered = spool_->recover();
  for (const auto& id : recovered.finished) log(id, "recovered: outcome move finished");
  for (const auto& id : recovered.resume) {
    log(id, "recovered: processing again");
    queue.emplace_back(id, true);
    pending.insert(id);
  }
  if (const int n = registry_->reconcile(spool_->root()); n > 0)
    log("", "registry: recorded " + std::to_string(n) + " decided bundle(s) it had missed");

  const unsigned n_workers = config_.effective_workers();
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < n_workers; ++w)
    workers.emplace_back([&] {
      std::unique_ptr<worker::AnalysisWorker> analysis;
      unsigned generation = generation_;
      for (;;) {
        std::pair<std::string, bool> item;
        {
          std::unique_lock lock(m);
          cv.wait(lock, [&] { return stopping_ || !queue.empty(); });
          if (stopping_) return;  // in-flight bundles finish; queued ones stay in incoming/
          item = queue.front();
          queue.pop_front();
        }
        try {
          if (!options_.worker_argv.empty() && (!analysis || generation != generation_)) {
            generation = generation_;
            std::string init;
            {
              std::lock_guard lock(pipeline_mutex_);
              init = worker_init_;
            }
            analysis = std::make_unique<worker::AnalysisWorker>(
                options_.worker_argv, std::move(init), options_.worker_limits);
          }
          process(item.first, item.second, analysis.get());
        } catch (const std::exception& e) {
          // A spool or registry failure: stop and let the restart recover (never carry on).
          log(item.first, std::string("fatal: ") + e.what());
          fatal = true;
          stopping_ = true;
          cv.notify_all();
        }
        std::lock_guard lock(m);
        pending.erase(item.first);
      }
    });

  auto rescan = [&] {
    std::vector<std::string> quarantined;
    std::vector<std::string> ids;
    try {
      ids = spool_->scan_incoming(&quarantined);
    } catch (const std::exception& e) {
      log("", std::string("fatal: ") + e.what());
      fatal = true;
      stopping_ = true;
      return;
    }
    for (const auto& q : quarantined) log(q, "not a bundle: moved to quarantine/");
    std::lock_guard lock(m);
    for (auto& id : ids)
      if (pending.insert(id).second) queue.emplace_back(std::move(id), false);
    cv.notify_all();
  };

  sd_notifyf(0, "READY=1\nSTATUS=watching %s with %u workers", spool_->incoming().c_str(),
             n_workers);
  log("", "watching " + spool_->incoming().string() + " with " + std::to_string(n_workers) +
              " worker(s)");
  rescan();
  // Under systemd's WatchdogSec, ping at least twice per interval.
  std::uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  auto interval = options_.rescan_interval;
  if (watchdog)
    interval = std::min<std::chrono::milliseconds>(
        interval, std::chrono::milliseconds(std::max<std::uint64_t>(watchdog_usec / 2000, 100)));
  while (!stopping_) {
    pollfd fds[2] = {{sfd, POLLIN, 0}, {ifd, POLLIN, 0}};
    const int rc = ::poll(fds, 2, static_cast<int>(interval.count()));
    if (watchdog) sd_notify(0, "WATCHDOG=1");
    if (rc < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      while (::read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP) {
          reload();
        } else {
          log("", "stopping: finishing the bundles in flight");
          stopping_ = true;
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      char buf[8192];
      while (::read(ifd, buf, sizeof buf) > 0) {
      }
    }
    if (!stopping_) rescan();
    std::size_t depth = 0;
    {
      std::lock_guard lock(m);
      depth = queue.size();
    }
    sd_notifyf(0, "STATUS=queue depth %zu", depth);
  }
  sd_notify(0, "STOPPING=1");
  cv.notify_all();
  for (auto& t : workers) t.join();
  ::close(ifd);
  ::close(sfd);
  log("", fatal ? "stopped after a fatal error" : "stopped");
  return fatal ? 1 : 0;
}

}  // namespace sot::service
