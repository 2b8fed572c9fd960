#include "service/Service.hpp"

#include "common/FaultPoint.hpp"
#include "common/Instance.hpp"
#include "notify/Notifier.hpp"
#include "outcome/Notices.hpp"
#include "outcome/Resubmission.hpp"
#include "outcome/Status.hpp"
#include "retention/Retention.hpp"
#include "review/ReviewUi.hpp"
#include "service/Recovery.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <iostream>
#include <set>
#include <thread>
#include <vector>

#include "core/Report.hpp"

namespace sot::service {

using common::default_instance;
using common::fault_point;
using common::instance_is_dead;

namespace fs = std::filesystem;

Config resolve_config(const ServiceOptions& o) {
  Config c = o.config_file ? load_config_file(*o.config_file) : shipped_config();
  if (o.spool) c.spool_root = *o.spool;
  if (o.registry_url) c.registry_url = *o.registry_url;
  if (o.trust_dir) c.trust_dir = *o.trust_dir;
  if (o.crl_dir) c.crl_dir = *o.crl_dir;
  if (o.intermediates_dir) c.intermediates_dir = *o.intermediates_dir;
  if (o.workers) c.workers = *o.workers;
  if (o.http_listen) c.http_listen = *o.http_listen;
  return c;
}

// The court's signing key for receipts and notices, when configured (ConfigError otherwise).
std::shared_ptr<const outcome::OutcomeSigner> load_signer(const Config& c) {
  if (c.outcome_signing_key.empty()) return nullptr;
  try {
    return outcome::OutcomeSigner::load(c.outcome_signing_key, c.outcome_signing_cert);
  } catch (const std::exception& e) {
    throw ConfigError(c.source + ": [outcome] " + e.what());
  }
}

Service::Service(ServiceOptions options) : options_(std::move(options)) {
  config_ = resolve_config(options_);
  pipeline_ = build_pipeline(config_);
  signer_ = load_signer(config_);
  worker_init_ =
      worker::make_worker_init(config_, pipeline_->rules().text, pipeline_->rules().source,
                               {fs::absolute(config_.spool_root / "active").string()});
  spool_ = std::make_unique<spool::Spool>(config_.spool_root);
  registry_ = registry::open_registry(config_.registry_url, spool_->root());
  queue_ = std::make_unique<LocalWorkQueue>();
  instance_ = config_.instance.empty() ? default_instance() : config_.instance;
  // Status changes become notifications to the portal when it is configured.
  registry_->enable_outbox(!config_.notify.url.empty());
  lease_ = std::chrono::seconds(config_.lease_seconds);
  metrics_.set_instance(instance_);
  // Under systemd with stderr on the journal: structured entries with the bundle as a field.
  if (const char* js = std::getenv("JOURNAL_STREAM")) {
    struct stat st {};
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) == 2 && ::fstat(2, &st) == 0 && st.st_dev == dev &&
        st.st_ino == ino)
      journal_ = true;
  }
}

Service::~Service() = default;

Config Service::config_snapshot() const {
  std::lock_guard lock(pipeline_mutex_);
  return config_;
}

std::shared_ptr<const outcome::OutcomeSigner> Service::signer() const {
  std::lock_guard lock(pipeline_mutex_);
  return signer_;
}

std::shared_ptr<const Pipeline> Service::pipeline() const {
  std::lock_guard lock(pipeline_mutex_);
  return pipeline_;
}

void Service::log(const std::string& bundle, const std::string& message, Level level) const {
  if (journal_) {
    sd_journal_send("MESSAGE=%s%s%s", bundle.empty() ? "" : bundle.c_str(),
                    bundle.empty() ? "" : ": ", message.c_str(), "PRIORITY=%d",
                    static_cast<int>(level), "SOT_BUNDLE=%s", bundle.empty() ? "-" : bundle.c_str(),
                    "SOT_INSTANCE=%s", instance_.c_str(), "SYSLOG_IDENTIFIER=sot-intaked", nullptr);
    return;
  }
  static std::mutex out;
  std::lock_guard lock(out);
  std::cerr << "sot-intaked[" << (bundle.empty() ? "-" : bundle) << "]: " << message << std::endl;
}

void Service::reload() {
  try {
    Config c = resolve_config(options_);
    auto p = build_pipeline(c);
    auto signer = load_signer(c);
    std::lock_guard lock(pipeline_mutex_);
    pipeline_ = std::move(p);
    signer_ = std::move(signer);
    config_ = std::move(c);
    registry_->enable_outbox(!config_.notify.url.empty());
    worker_init_ =
        worker::make_worker_init(config_, pipeline_->rules().text, pipeline_->rules().source,
                                 {fs::absolute(config_.spool_root / "active").string()});
    ++generation_;
    metrics_.reloaded(true);
    log("", "reloaded configuration and rules (rules " + pipeline_->rules().version + ")");
  } catch (const std::exception& e) {
    metrics_.reloaded(false);
    log("", std::string("reload refused, keeping the current configuration: ") + e.what(),
        Level::kError);
  }
}

void Service::recover() {
  expire_dead_leases();
  service::recover(
      *spool_, *registry_, pipeline()->rules(),
      [this](const std::string& b, const std::string& m, bool warn) {
        log(b, m, warn ? Level::kWarning : Level::kInfo);
      },
      signer().get());
}

void Service::expire_dead_leases() {
  // This host's daemons that are no longer running (a restart after kill -9), and this
  // instance's own name when it was configured (its previous run).
  std::set<std::string> dead;
  for (const auto& l : registry_->leases())
    if ((l.holder == instance_ && !config_.instance.empty()) || instance_is_dead(l.holder))
      dead.insert(l.holder);
  for (const auto& d : dead)
    if (const int n = registry_->expire_leases(d); n > 0)
      log("", "the " + std::to_string(n) + " lease(s) of " + d +
                  " (no longer running) expire now: its bundles are claimed again");
}

void Service::held(const WorkItem& item, bool on) {
  std::lock_guard lock(held_mutex_);
  if (on)
    held_[item.id] = item.token;
  else if (const auto it = held_.find(item.id); it != held_.end() && it->second == item.token)
    held_.erase(it);
  metrics_.set_leases(held_.size());
}

void Service::keep_leases() {
  std::vector<registry::Token> tokens;
  {
    std::lock_guard lock(held_mutex_);
    for (const auto& [id, t] : held_) tokens.push_back(t);
  }
  try {
    const std::size_t kept = registry_->heartbeat(instance_, tokens, lease_);
    if (kept < tokens.size())
      log("",
          std::to_string(tokens.size() - kept) +
              " lease(s) lost to another daemon (this one was too slow to renew them)",
          Level::kWarning);
    if (!registry_up_.exchange(true))
      log("", "the registry answers again: " + registry_->describe());
  } catch (const std::exception& e) {
    if (registry_up_.exchange(false))
      log("", std::string("the registry does not answer (claiming nothing new): ") + e.what(),
          Level::kError);
  }
  metrics_.set_registry_up(registry_up_);
}

std::string Service::process(const WorkItem& item, worker::AnalysisWorker* worker) {
  const std::string& id = item.id;
  const registry::Token token = item.token;
  // Only the lease's holder moves the bundle: a new arrival out of incoming/; one taken over
  // (or left by a crash) where it is in active/.
  struct stat st {};
  const bool in_active = ::lstat((spool_->active() / id).c_str(), &st) == 0;
  if (!in_active && !spool_->claim(id)) {
    // Gone: withdrawn, or a stale listing of one already decided — or its holder moved it
    // into its outcome directory and stopped before recording it.
    if (const auto pending = registry_->pending_decision(id)) {
      if (const auto placed = find_moved(*spool_, id, *pending)) {
        const auto report = nlohmann::json::parse(pending->report_text, nullptr, false);
        registry_->record_outcome(id, *placed, pending->outcome, report, token);
        log(id, "recorded the committed decision its previous holder had moved (" +
                    pending->outcome + ")");
        return pending->outcome;
      }
    }
    registry_->drop(id, token);
    return "";
  }
  if (!item.previous_holder.empty()) {
    metrics_.taken_over();
    log(id, "taken over from " + item.previous_holder + " (its lease expired)", Level::kWarning);
  }
  const auto may_move = [&] { return token == 0 || registry_->fence(id, token, lease_); };
  if (const auto pending = registry_->pending_decision(id)) {
    // Committed by a holder that stopped (or by this daemon before a crash): finished from
    // the registry's text, never decided again.
    const std::string placed = finish_committed(
        *spool_, *registry_, pipeline()->rules(), id, *pending,
        [this](const std::string& b, const std::string& m, bool warn) {
          log(b, m, warn ? Level::kWarning : Level::kInfo);
        },
        signer().get(), token, may_move);
    log(id, "finished the committed decision (" + pending->outcome + ") as " + placed);
    return pending->outcome;
  }
  const auto pipe = pipeline();
  const Config config = config_snapshot();
  SystemClock clock;
  PipelineResult result;
  std::optional<std::string> number;
  const std::int32_t offset =
      config.report_local_offset ? local_offset_minutes(clock.now()) : config.report_offset_minutes;
  nlohmann::json report;
  std::optional<std::string> court_code;
  if (registry_->decided(id)) {
    // The same id again after its decision: a clerk sorts it out; the first stays as it is.
    result = pipe->failed(id,
                          "a bundle with this id was already decided; this delivery is kept "
                          "apart for a clerk",
                          "spool", clock.now());
    report = make_report(result, pipe->rules(), offset);
  } else {
    registry_->transition(id, "processing", std::nullopt, token);
    std::optional<SysSeconds> arrival;
    {
      std::lock_guard lock(arrivals_mutex_);
      if (const auto it = arrivals_.find(id); it != arrivals_.end())
        arrival = std::chrono::time_point_cast<std::chrono::seconds>(it->second);
    }
    if (!arrival)  // resumed after a restart: the registry remembers when it was received
      if (const auto rec = registry_->find(id))
        if (const auto t = parse_rfc3339(rec->received_at)) arrival = t->utc;
    // What the registry knows that the sandboxed checks cannot ask it (spec §5.2).
    const RunInputs inputs =
        outcome::run_inputs_for(registry_.get(), spool_->active() / id, id,
                                config.bundle_limits.manifest_max_bytes, arrival);
    if (worker) {
      worker::WorkerAnswer a = worker->run(spool_->active() / id, inputs);
      if (a.report) {
        report = std::move(*a.report);
        court_code = a.court_code;
      } else {
        log(id, "analysis failed: " + a.failure);
        result = pipe->failed(id, a.failure, "worker", clock.now());
        report = make_report(result, pipe->rules(), offset);
      }
    } else {
      result = pipe->run(spool_->active() / id, clock, inputs);
      court_code = result.court_code;
      report = make_report(result, pipe->rules(), offset);
    }
    if (report.value("outcome", "") == "registered") {
      const int year = static_cast<int>(local_date(clock.now(), offset).year());
      number = registry_->assign_number(id, court_code.value_or("0000"), year, config.number_format,
                                        token);
      report["registration_number"] = *number;
    }
  }
  const std::string outcome = report.value("outcome", "review");
  const Outcome o = outcome_named(outcome);
  // The registry first: the decision and the exact report, then the files that show it.
  const std::string text =
      report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  registry_->commit_decision(id, spool::directory_of(o), text, token);
  fault_point("committed", id);
  const auto court_signer = signer();
  write_committed(
      *spool_, *registry_, pipe->rules(), id, spool_->active() / id, text, report,
      [this](const std::string& b, const std::string& m, bool warn) {
        log(b, m, warn ? Level::kWarning : Level::kInfo);
      },
      court_signer.get());
  // Only the holder renames: the lease is checked (and renewed) just before.
  if (!may_move())
    throw registry::StaleLease("the lease on " + id + " was lost before its outcome move");
  fault_point("before-move", id);
  const std::string placed = spool_->finish(id, o);
  fault_point("moved", id);
  registry_->record_outcome(id, placed, spool::directory_of(o), report, token);
  {
    std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now();
    std::lock_guard lock(arrivals_mutex_);
    if (const auto it = arrivals_.find(id); it != arrivals_.end()) {
      arrived = it->second;
      arrivals_.erase(it);
    }
    metrics_.bundle_decided(
        report, std::chrono::duration<double>(std::chrono::system_clock::now() - arrived).count());
  }
  std::string codes;
  for (const auto& f : report["findings"])
    codes += (codes.empty() ? "" : ",") + f.value("code", std::string("?"));
  log(id, spool::directory_of(o) + (number ? " " + *number : "") +
              (codes.empty() ? "" : " [" + codes + "]") + " in " +
              std::to_string(report.value("duration_ms", 0)) + " ms");
  return spool::directory_of(o);
}

void Service::rescan() {
  const Config config = config_snapshot();
  std::vector<std::string> quarantined;
  std::vector<spool::Spool::Incoming> found;
  found = spool_->scan_incoming(&quarantined);
  for (const auto& q : quarantined) {
    metrics_.quarantined();
    log(q, "not a bundle: moved to quarantine/", Level::kWarning);
  }
  const std::uint64_t free = spool_->free_bytes();
  metrics_.set_free_bytes(free);
  const bool enough = free >= config.min_free_bytes;
  if (enough != claiming_.exchange(enough))
    log("",
        enough ? "free space is back: claiming bundles again"
               : "the spool's filesystem has " + std::to_string(free >> 20) +
                     " MiB free (below spool.min_free_mb): claiming nothing new",
        enough ? Level::kInfo : Level::kError);
  metrics_.set_claiming(enough);
  if (!enough) return;
  // Every bundle in incoming/ is recorded as waiting in the registry, once per scan of this
  // daemon (a listing may be stale on a shared filesystem: whoever claims a bundle that is
  // gone drops it). The scan's memory is forgotten now and then, so a bundle delivered again
  // under a decided id is seen again.
  if (std::chrono::steady_clock::now() - seen_since_ > std::chrono::seconds(30)) {
    seen_.clear();
    seen_since_ = std::chrono::steady_clock::now();
    // Arrival times of bundles another daemon took are not needed here any more.
    std::scoped_lock lock(arrivals_mutex_, held_mutex_);
    std::erase_if(arrivals_, [&](const auto& a) { return !held_.count(a.first); });
  }
  for (auto& in : found) {
    if (const auto it = seen_.find(in.id); it != seen_.end() && it->second == in.arrived) continue;
    const std::string arrived =
        format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(in.arrived), 0);
    const bool added = registry_->enqueue(in.id, arrived);
    fault_point("enqueued", in.id);
    // The arrival acknowledged: received, under which submission id, and the SHA-256 of the
    // manifest that arrived (what the filer signed) — also when a crash (here or on another
    // host) came between the enqueue and the acknowledgement.
    if (!registry_->decided(in.id) && (added || registry_->acknowledged_manifest(in.id).empty())) {
      const std::string manifest = spool::read_manifest_bytes(
          spool_->incoming() / in.id, config.bundle_limits.manifest_max_bytes);
      if (added || !manifest.empty()) {
        registry_->transition(
            in.id, "received",
            manifest.empty() ? std::nullopt : parse_manifest(manifest).submission_id);
        if (!manifest.empty()) registry_->acknowledge(in.id, registry::sha256_hex(manifest));
      }
    }
    seen_[in.id] = in.arrived;
    std::lock_guard lock(arrivals_mutex_);
    arrivals_.emplace(in.id, in.arrived);
  }
  claim();
}

void Service::claim() {
  if (!claiming_ || stopping_) return;
  // Bounded: a few bundles per worker wait in memory; the rest wait in the registry (oldest
  // first across every daemon) until a worker here or elsewhere asks for more.
  const std::size_t bound = std::max<std::size_t>(2, 2 * config_snapshot().effective_workers());
  const std::size_t have = queue_->waiting() + queue_->in_flight();
  if (have >= bound) return;
  for (auto& c : registry_->claim(instance_, lease_, bound - have)) {
    WorkItem item{c.bundle, c.token, c.previous_holder};
    held(item, true);
    if (!queue_->offer(item)) held(item, false);
  }
}

std::filesystem::path preflight_dir(const Config& c) {
  if (!c.preflight.work_dir.empty()) return c.preflight.work_dir;
  if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state)
    return fs::path(std::string(state).substr(0, std::string(state).find(':'))) / "preflight";
  return fs::temp_directory_path() / ("sot-intake-preflight-" + std::to_string(::geteuid()));
}

http::Response Service::serve(const http::Request& req) {
  // Pre-flight of drafts (spec §6): POST a draft, GET its result.
  if (req.path == "/api/preflight" || req.path.rfind("/api/preflight/", 0) == 0) {
    if (!preflight_) return http::Response::text(404, "not found\n");
    const bool post = req.path == "/api/preflight";
    if (req.method != (post ? "POST" : "GET") && !(!post && req.method == "HEAD")) {
      http::Response r = http::Response::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", post ? "POST" : "GET, HEAD");
      return r;
    }
    if (post) return preflight_->post(req);
    // The result is the portal's: the token is asked for here too.
    if (auto refused = preflight_->authorize(req)) return *refused;
    return preflight_->get(req.path.substr(15));
  }
  // The daemon's own routes are read-only: GET (and HEAD, answered without a body).
  const bool own =
      req.path == "/healthz" || req.path == "/metrics" || req.path.rfind("/api/status/", 0) == 0;
  if (own && req.method != "GET" && req.method != "HEAD") {
    http::Response r = http::Response::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (req.path == "/healthz") {
    const bool ok = !fatal_ && !stopping_ && claiming_;
    std::size_t leases = 0;
    {
      std::lock_guard lock(held_mutex_);
      leases = held_.size();
    }
    nlohmann::json j = {{"status", ok && registry_up_ ? "ok" : "degraded"},
                        {"instance", instance_},
                        {"registry", {{"url", registry_->describe()}, {"up", registry_up_.load()}}},
                        {"leases_held", leases},
                        {"claiming", claiming_.load()},
                        {"stopping", stopping_.load()},
                        {"queue_depth", queue_->waiting()},
                        {"in_flight", queue_->in_flight()},
                        {"workers", config_snapshot().effective_workers()},
                        {"spool_free_bytes", spool_->free_bytes()},
                        {"rules_version", pipeline()->rules().version}};
    return http::Response::json(ok && registry_up_ ? 200 : 503, j.dump());
  }
  if (req.path == "/metrics") {
    metrics_.set_queue(queue_->waiting(), queue_->in_flight());
    try {
      metrics_.set_review_waiting(registry_->count("review"));
    } catch (const std::exception&) {
      metrics_.set_review_waiting(-1);
    }
    http::Response r = http::Response::text(200, metrics_.render());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  }
  if (req.path.rfind("/api/status/", 0) == 0) {
    const std::string id = req.path.substr(12);
    const auto pipe = pipeline();
    const auto status = outcome::filer_status(*registry_, id, pipe->rules());
    if (!status)
      return http::Response::json(404,
                                  nlohmann::json{{"submission_id", id}, {"status", "unknown"}}.dump(
                                      -1, ' ', false, nlohmann::json::error_handler_t::replace));
    return http::Response::json(
        200, status->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (review_ui_ && (req.path == "/" || req.path.rfind("/review", 0) == 0))
    return review_ui_->serve(req);
  return http::Response::text(404, "not found\n");
}

int Service::run() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);  // before any thread starts: all inherit it
  const int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  const int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (sfd < 0 || ifd < 0 || wake_fd_ < 0 ||
      inotify_add_watch(ifd, spool_->incoming().c_str(), IN_MOVED_TO | IN_CREATE) < 0) {
    log("", "cannot watch " + spool_->incoming().string(), Level::kError);
    return 1;
  }

  // Start-up: finish what the registry says was decided, process again what it does not.
  recover();

  if (!config_.http_listen.empty()) {
    try {
      review_ui_ = std::make_unique<review::ReviewUi>(
          *spool_, *registry_,
          review::ReviewUi::Context{
              [this] { return config_snapshot(); }, [this] { return pipeline(); },
              options_.worker_argv.empty() ? "" : options_.worker_argv[0],
              [this](const std::string& action) { metrics_.clerk_decided(action); }});
      http::ServerLimits limits;
      limits.handler_threads = 3;
      if (!config_.preflight.token.empty()) {
        preflight::PreflightOptions po;
        po.token = config_.preflight.token;
        po.work_dir = preflight_dir(config_);
        po.max_concurrent = config_.preflight.max_concurrent;
        po.max_queued = config_.preflight.max_queued;
        po.rate_per_minute = config_.preflight.rate_per_minute;
        po.retention = std::chrono::seconds(config_.preflight.retention_seconds);
        const auto& rules = pipeline_->rules();
        po.limits.max_entry_bytes = rules.max_file_bytes;
        po.limits.max_total_bytes = rules.max_bundle_bytes;
        po.limits.manifest_max_bytes = config_.bundle_limits.manifest_max_bytes;
        po.limits.max_entries = config_.bundle_limits.max_files + 4;
        po.worker_argv = options_.worker_argv;
        po.worker_limits = options_.worker_limits;
        po.worker_limits.nice = 10;  // real bundles first
        try {
          preflight_ = std::make_unique<preflight::Preflight>(
              std::move(po), preflight::Preflight::Context{[this] { return config_snapshot(); },
                                                           [this] { return pipeline(); }});
        } catch (const std::exception& e) {
          // The rest of the endpoint (health, metrics, status, review) still serves.
          log("", std::string("pre-flight not started: ") + e.what(), Level::kError);
        }
      }
      if (preflight_) {
        limits.handler_threads += preflight_->max_waiting();
        limits.body_routes.push_back(
            {"/api/preflight", "POST", static_cast<std::size_t>(preflight_->max_body_bytes()), 300,
             [this](const http::Request& r) { return preflight_->admit(r); }});
        log("", "pre-flight: drafts are checked in " + preflight_dir(config_).string());
      }
      limits.inline_paths = {"/healthz", "/metrics"};
      // The endpoint answers to its own names only (no DNS rebinding).
      limits.allowed_hosts = {"localhost", "127.0.0.1", "[::1]"};
      const auto where = *parse_listen_address(config_.http_listen);
      limits.allowed_hosts.push_back(
          where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host);
      for (const auto& h : config_.http_hosts) limits.allowed_hosts.push_back(h);
      http_ = std::make_unique<http::Server>(
          *parse_listen_address(config_.http_listen),
          [this](const http::Request& r) { return serve(r); }, limits);
      http_->start();
      log("", "http: serving /healthz, /metrics, /api/status and /review on " +
                  parse_listen_address(config_.http_listen)->host + ":" +
                  std::to_string(http_->port()));
    } catch (const std::exception& e) {
      // The spool matters more than the endpoint: keep deciding bundles, say so loudly.
      log("", std::string("http endpoint not started: ") + e.what(), Level::kError);
      http_.reset();
    }
  }

  const unsigned n_workers = config_.effective_workers();
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < n_workers; ++w)
    workers.emplace_back([&] {
      std::unique_ptr<worker::AnalysisWorker> analysis;
      unsigned generation = generation_;
      int restarts_seen = 0;
      if (!options_.worker_argv.empty()) {  // prefork: ready before the first bundle arrives
        std::string init;
        {
          std::lock_guard lock(pipeline_mutex_);
          init = worker_init_;
        }
        analysis = std::make_unique<worker::AnalysisWorker>(options_.worker_argv, std::move(init),
                                                            options_.worker_limits);
        if (std::string why; !analysis->prefork(&why))
          log("", "analysis worker cannot start: " + why, Level::kError);
      }
      while (auto item = queue_->take()) {
        if (queue_->waiting() < 2) {
          const std::uint64_t one = 1;
          [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
        }
        try {
          if (!options_.worker_argv.empty() && (!analysis || generation != generation_)) {
            if (analysis) metrics_.worker_restarted();
            generation = generation_;
            std::string init;
            {
              std::lock_guard lock(pipeline_mutex_);
              init = worker_init_;
            }
            analysis = std::make_unique<worker::AnalysisWorker>(
                options_.worker_argv, std::move(init), options_.worker_limits);
            restarts_seen = 0;
            std::string why;
            if (!analysis->prefork(&why)) log("", "analysis worker cannot start: " + why);
          }
          process(*item, analysis.get());
          // A replacement (after a fault or a recycle) starts now, not with the next bundle.
          if (std::string why; analysis && !analysis->prefork(&why))
            log("", "analysis worker cannot start: " + why, Level::kError);
          if (analysis && analysis->restarts() != restarts_seen) {
            for (; restarts_seen < analysis->restarts(); ++restarts_seen)
              metrics_.worker_restarted();
          }
        } catch (const registry::StaleLease& e) {
          // Another daemon took the bundle over: nothing of this run was written.
          metrics_.lease_lost();
          log(item->id, std::string("lease lost, left to its new holder: ") + e.what(),
              Level::kWarning);
        } catch (const registry::RegistryError& e) {
          // The registry did not answer in time: nothing unrecorded goes on. The lease is not
          // renewed any more; the bundle is claimed again (here or elsewhere) when it expires.
          log(item->id,
              std::string("the registry failed; the bundle waits for its next claim: ") + e.what(),
              Level::kError);
        } catch (const std::exception& e) {
          // A spool failure: stop and let the restart recover (never carry on) — unless the
          // bundle was taken over meanwhile and its new holder moved it.
          bool lost = false;
          try {
            lost = item->token != 0 && !registry_->fence(item->id, item->token, lease_);
          } catch (const std::exception&) {
          }
          if (lost) {
            metrics_.lease_lost();
            log(item->id, std::string("lease lost, left to its new holder: ") + e.what(),
                Level::kWarning);
          } else {
            log(item->id, std::string("fatal: ") + e.what(), Level::kError);
            fatal_ = true;
            stopping_ = true;
            queue_->close();
          }
        }
        held(*item, false);
        queue_->done(item->id);
      }
    });

  auto safe_rescan = [&] {
    try {
      rescan();
    } catch (const registry::RegistryError& e) {
      // Claiming stops until the registry answers; the bundles in flight go on.
      if (registry_up_.exchange(false))
        log("", std::string("the registry does not answer (claiming nothing new): ") + e.what(),
            Level::kError);
      metrics_.set_registry_up(false);
    } catch (const std::exception& e) {
      log("", std::string("fatal: ") + e.what(), Level::kError);
      fatal_ = true;
      stopping_ = true;
    }
  };

  // Notifications to the portal, on a thread of their own: a slow or absent receiver never
  // holds up a decision (the events wait in the registry's outbox).
  std::thread notifier([this] {
    notify::Notifier n(
        *registry_, [this] { return config_snapshot().notify; },
        [this](const std::string& m, bool warn) {
          log("", m, warn ? Level::kWarning : Level::kInfo);
        });
    while (!stopping_) {
      notify::PassStats st;
      try {
        st = n.run_once();
        metrics_.notified(st.delivered, st.failed, st.dead);
        if (!config_snapshot().notify.url.empty())
          metrics_.set_notify_pending(registry_->events_pending());
      } catch (const std::exception& e) {
        log("", std::string("notifications: ") + e.what(), Level::kWarning);
      }
      // Straight on while there is work that goes through; otherwise a short pause.
      if (st.delivered == 0 || st.failed > 0)
        for (int i = 0; i < 5 && !stopping_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // Leases renewed every third of their time, on a thread of their own: a slow bundle, a
  // slow scan or a registry that is slow to answer never lets them lapse unnoticed.
  std::thread lease_keeper([this] {
    auto next = std::chrono::steady_clock::now();
    while (!stopping_ || queue_->in_flight() > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (std::chrono::steady_clock::now() < next) continue;
      next = std::chrono::steady_clock::now() + lease_ / 3;
      keep_leases();
    }
  });

  // Retention on its own thread: hashing and purging old bundles never holds up the queue.
  std::thread retention([this] {
    auto next = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    auto next_deciding = next;
    while (!stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (!stopping_ && std::chrono::steady_clock::now() >= next_deciding) {
        // A clerk's decision abandoned on any host (its process gone, or its hold expired).
        next_deciding = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        try {
          service::recover_deciding(
              *spool_, *registry_, pipeline()->rules(),
              [this](const std::string& b, const std::string& m, bool warn) {
                log(b, m, warn ? Level::kWarning : Level::kInfo);
              },
              signer().get());
        } catch (const std::exception& e) {
          log("", std::string("abandoned decisions not settled: ") + e.what(), Level::kWarning);
        }
      }
      if (stopping_ || std::chrono::steady_clock::now() < next) continue;
      const Config c = config_snapshot();
      next = std::chrono::steady_clock::now() + std::chrono::minutes(c.retention_interval_minutes);
      try {
        const auto actions = retention::run(
            *spool_, *registry_,
            {c.retention_rejected_files_days, c.retention_registered_archive_days,
             c.retention_archive_dir},
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()),
            false, "sot-intaked retention");
        for (const auto& a : actions)
          log(a.bundle, "retention: " + a.action + " " + a.placed,
              a.action == "failed" ? Level::kWarning : Level::kInfo);
      } catch (const std::exception& e) {
        log("", std::string("retention failed: ") + e.what(), Level::kWarning);
      }
    }
  });

  sd_notifyf(0, "READY=1\nSTATUS=watching %s with %u workers", spool_->incoming().c_str(),
             n_workers);
  log("", "watching " + spool_->incoming().string() + " with " + std::to_string(n_workers) +
              " worker(s) as instance " + instance_ + ", registry " + registry_->describe());
  safe_rescan();
  // Under systemd's WatchdogSec, ping at least twice per interval.
  std::uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  auto interval = options_.rescan_interval;
  if (watchdog)
    interval = std::min<std::chrono::milliseconds>(
        interval, std::chrono::milliseconds(std::max<std::uint64_t>(watchdog_usec / 2000, 100)));
  while (!stopping_) {
    // Another daemon's arrival (PostgreSQL NOTIFY) wakes this one too; -1 is ignored by poll.
    const int notify_fd = registry_->wakeup_fd();
    pollfd fds[4] = {
        {sfd, POLLIN, 0}, {ifd, POLLIN, 0}, {wake_fd_, POLLIN, 0}, {notify_fd, POLLIN, 0}};
    const int rc = ::poll(fds, 4, static_cast<int>(interval.count()));
    if (fds[3].revents & (POLLIN | POLLERR | POLLHUP)) registry_->consume_wakeups();
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
    if (fds[2].revents & POLLIN) {
      std::uint64_t n = 0;
      [[maybe_unused]] const auto r = ::read(wake_fd_, &n, sizeof n);
    }
    if (!stopping_) safe_rescan();
    metrics_.set_queue(queue_->waiting(), queue_->in_flight());
    sd_notifyf(0, "STATUS=queue depth %zu, in flight %zu%s", queue_->waiting(), queue_->in_flight(),
               claiming_ ? "" : ", not claiming: low disk space");
  }
  sd_notify(0, "STOPPING=1");
  queue_->close();
  for (auto& t : workers) t.join();
  lease_keeper.join();
  notifier.join();
  // What was claimed and never started goes back to the other daemons at once.
  try {
    registry_->expire_leases(instance_);
  } catch (const std::exception& e) {
    log("", std::string("leases left to expire: ") + e.what(), Level::kWarning);
  }
  retention.join();
  if (http_) http_->stop();
  preflight_.reset();  // drafts still being checked are dropped, their directories removed
  ::close(ifd);
  ::close(sfd);
  ::close(wake_fd_);
  log("", fatal_ ? "stopped after a fatal error" : "stopped");
  return fatal_ ? 1 : 0;
}

}  // namespace sot::service
