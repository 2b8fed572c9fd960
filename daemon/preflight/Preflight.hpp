// Pre-flight (spec §6): the portal sends a draft — a tar of manifest.json and files/, not yet
// signed — and gets the findings back before the filer signs, in the words a real submission
// would get.
//
//   POST /api/preflight?wait=S   Authorization: Bearer <token>, body: the tar
//        200 {report-shaped result, would_be}   finished within `wait` (default 10, max 60)
//        202 Location: /api/preflight/<id>      still running
//        400 not a draft's tar (unsafe names, links, devices: refused, never extracted)
//        401 no or wrong token · 413 over the size limits · 429 over the token's rate
//        503 the pre-flight queue is full
//   GET  /api/preflight/<id>                  200 result · 202 running · 404 unknown/expired
//
// Drafts are extracted into a private directory outside the spool (never the spool, never the
// registry), checked by the same stages in the same sandboxed worker processes as a real
// bundle (the signature stage skipped; missing sha256/bytes computed), and deleted as soon as
// they are checked; results are kept for `retention` and then forgotten. What is left of
// drafts after a crash is removed at start-up.
//
// Real bundles first: pre-flights run on their own few workers (`max_concurrent`), whose
// processes have a lower CPU priority (nice), behind a bounded queue; a full queue answers
// 503 rather than wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Pipeline.hpp"
#include "http/HttpServer.hpp"
#include "preflight/DraftArchive.hpp"
#include "worker/AnalysisWorker.hpp"

namespace sot::preflight {

struct PreflightOptions {
  std::string token;  // the bearer token; empty: the endpoint is off (404)
  std::filesystem::path work_dir;
  unsigned max_concurrent = 1;    // drafts checked at once
  unsigned max_queued = 16;       // drafts waiting beyond those; more → 503
  unsigned rate_per_minute = 30;  // per token, with a burst of as many
  std::chrono::seconds retention{3600};
  DraftLimits limits;
  // How to start a sandboxed worker (empty: check in this process — tests only).
  std::vector<std::string> worker_argv;
  worker::WorkerLimits worker_limits;
};

class Preflight {
 public:
  struct Context {
    std::function<Config()> config;
    std::function<std::shared_ptr<const Pipeline>()> pipeline;
  };
  Preflight(PreflightOptions options, Context context);
  ~Preflight();
  Preflight(const Preflight&) = delete;
  Preflight& operator=(const Preflight&) = delete;

  // Before the body is read: the token and its rate (401, 429, 404 when off). nullopt: read on.
  std::optional<http::Response> admit(const http::Request& head);
  // The token alone (401, 404 when off), for GET of a result. nullopt: authorised.
  std::optional<http::Response> authorize(const http::Request& req) const;
  // POST /api/preflight with its body (admit() already passed).
  http::Response post(const http::Request& req);
  // GET /api/preflight/<id>.
  http::Response get(const std::string& id);

  // The largest body POST accepts (the server's limit for the route).
  std::uint64_t max_body_bytes() const;
  // Requests that may wait for their answer at once (handler threads to reserve).
  unsigned max_waiting() const { return options_.max_concurrent + 1; }
  unsigned running() const;

 private:
  struct Job {
    std::string id;
    std::filesystem::path dir;
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point finished;
    bool done = false;
    nlohmann::json result;
  };
  bool token_ok(const http::Request& req) const;
  void work();
  nlohmann::json check(const Job& job, worker::AnalysisWorker* worker);
  void sweep();  // forgets results past retention (mutex held)

  PreflightOptions options_;
  Context context_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;       // work arrived / stopping
  std::condition_variable done_cv_;  // a job finished
  std::deque<std::shared_ptr<Job>> queue_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  unsigned running_ = 0;
  unsigned waiting_ = 0;
  bool stopping_ = false;
  double bucket_ = 0;
  std::chrono::steady_clock::time_point bucket_at_;
  std::vector<std::thread> threads_;
};

}  // namespace sot::preflight
