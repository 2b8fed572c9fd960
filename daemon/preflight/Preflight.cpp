#include "preflight/Preflight.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include <fstream>
#include <sstream>

#include "core/Report.hpp"
#include "core/Text.hpp"
#include "rules/RuleSet.hpp"

namespace sot::preflight {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

http::Response error(int status, const std::string& why) {
  return http::Response::json(
      status, json{{"error", why}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string random_id() {
  unsigned char b[12];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness for an id");
  return text::hex(std::string_view(reinterpret_cast<const char*>(b), sizeof b));
}

std::string sha256(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

Preflight::Preflight(PreflightOptions options, Context context)
    : options_(std::move(options)), context_(std::move(context)) {
  bucket_ = options_.rate_per_minute;
  bucket_at_ = std::chrono::steady_clock::now();
  // Private, and empty: whatever a crash left behind is a draft nobody waits for. The
  // directory must be ours, not a link, and closed to everyone else (a temp dir is shared).
  std::error_code ec;
  fs::create_directories(options_.work_dir.parent_path(), ec);
  if (::mkdir(options_.work_dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("pre-flight: cannot make " + options_.work_dir.string());
  struct stat st {};
  if (::lstat(options_.work_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      st.st_uid != ::geteuid() || ::chmod(options_.work_dir.c_str(), 0700) != 0)
    throw std::runtime_error("pre-flight: " + options_.work_dir.string() +
                             " is not a private directory of this user");
  for (const auto& e : fs::directory_iterator(options_.work_dir, ec)) fs::remove_all(e.path(), ec);
  for (unsigned i = 0; i < std::max(1u, options_.max_concurrent); ++i)
    threads_.emplace_back([this] { work(); });
}

Preflight::~Preflight() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  done_cv_.notify_all();
  for (auto& t : threads_) t.join();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.work_dir, ec)) fs::remove_all(e.path(), ec);
}

std::uint64_t Preflight::max_body_bytes() const {
  // The files, the manifest, and tar's headers (512 bytes an entry, plus padding).
  return options_.limits.max_total_bytes + options_.limits.manifest_max_bytes +
         std::uint64_t{options_.limits.max_entries} * 1536 + 10240;
}

unsigned Preflight::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

bool Preflight::token_ok(const http::Request& req) const {
  const std::string h = req.header("authorization");
  const std::string prefix = "Bearer ";
  if (h.size() <= prefix.size() || h.compare(0, prefix.size(), prefix) != 0) return false;
  // Constant time: digests of equal length compared with CRYPTO_memcmp.
  const std::string a = sha256(h.substr(prefix.size())), b = sha256(options_.token);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<http::Response> Preflight::authorize(const http::Request& req) const {
  if (options_.token.empty()) return http::Response::text(404, "not found\n");
  if (!token_ok(req)) {
    http::Response r = error(401, "a valid bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"sot-intake pre-flight\"");
    return r;
  }
  return std::nullopt;
}

std::optional<http::Response> Preflight::admit(const http::Request& head) {
  if (auto refused = authorize(head)) return refused;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  const double per_second = options_.rate_per_minute / 60.0;
  bucket_ = std::min<double>(
      options_.rate_per_minute,
      bucket_ + per_second * std::chrono::duration<double>(now - bucket_at_).count());
  bucket_at_ = now;
  if (bucket_ < 1) {
    http::Response r = error(429, "too many pre-flight requests for this token");
    const int after = static_cast<int>(std::ceil((1 - bucket_) / std::max(per_second, 1e-9)));
    r.headers.emplace_back("Retry-After", std::to_string(std::max(1, after)));
    return r;
  }
  bucket_ -= 1;
  return std::nullopt;
}

http::Response Preflight::post(const http::Request& req) {
  if (auto refused = authorize(req)) return *refused;
  int wait = 10;
  if (const auto it = req.query.find("wait"); it != req.query.end()) {
    const std::string& w = it->second;
    if (w.empty() || w.size() > 3 || w.find_first_not_of("0123456789") != std::string::npos)
      return error(400, "wait: a whole number of seconds from 0 to 60");
    wait = std::min(60, std::stoi(w));
  }
  if (req.body.size() > max_body_bytes()) return error(413, "the draft is over the size limit");
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queued)
      return error(503, "the pre-flight queue is full; try again shortly");
  }
  // A private directory of its own, then every entry validated before one is written.
  std::string templ = (options_.work_dir / "draft-XXXXXX").string();
  if (!::mkdtemp(templ.data())) return error(500, "no room for the draft");
  const fs::path dir = templ;
  const Config config = context_.config();
  if (auto problem = extract_draft(req.body, options_.limits, dir)) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return error(problem->status, problem->why);
  }
  // Missing digests computed; a missing submitted_at is now (a draft is not submitted yet), at
  // the report's offset, so the checks that count from it read today's date.
  complete_manifest(dir, options_.limits.manifest_max_bytes,
                    format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now()),
                                   config.report_offset_minutes));

  auto job = std::make_shared<Job>();
  job->id = random_id();
  job->dir = dir;
  job->created = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  sweep();
  jobs_[job->id] = job;
  queue_.push_back(job);
  cv_.notify_one();
  // At most max_waiting() requests hold a handler thread while their draft is checked; the
  // others are answered 202 at once.
  if (waiting_ < max_waiting() && wait > 0) {
    ++waiting_;
    done_cv_.wait_for(lock, std::chrono::seconds(wait), [&] { return job->done || stopping_; });
    --waiting_;
  }
  if (job->done)
    return http::Response::json(200,
                                job->result.dump(-1, ' ', false, json::error_handler_t::replace));
  http::Response r = http::Response::json(
      202, json{{"id", job->id}, {"status", "running"}, {"location", "/api/preflight/" + job->id}}
               .dump());
  r.headers.emplace_back("Location", "/api/preflight/" + job->id);
  return r;
}

http::Response Preflight::get(const std::string& id) {
  if (options_.token.empty()) return http::Response::text(404, "not found\n");
  std::lock_guard lock(mutex_);
  sweep();
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return error(404, "no such pre-flight (or its result has expired)");
  if (!it->second->done) {
    http::Response r = http::Response::json(202, json{{"id", id}, {"status", "running"}}.dump());
    r.headers.emplace_back("Retry-After", "2");
    return r;
  }
  return http::Response::json(
      200, it->second->result.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Preflight::sweep() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = jobs_.begin(); it != jobs_.end();)
    it = it->second->done && now - it->second->finished > options_.retention ? jobs_.erase(it)
                                                                             : std::next(it);
}

json Preflight::check(const Job& job, worker::AnalysisWorker* worker) {
  const auto pipe = context_.pipeline();
  const Config config = context_.config();
  RunInputs in;
  in.skip_stages = {"signature"};  // a draft is not signed yet
  json report;
  if (worker) {
    worker::WorkerAnswer a = worker->run(job.dir, in);
    if (a.report)
      report = std::move(*a.report);
    else
      report = make_report(pipe->failed(job.dir.filename().string(), a.failure, "worker",
                                        std::chrono::time_point_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now())),
                           pipe->rules(), config.report_offset_minutes);
  } else {
    SystemClock clock;
    report =
        make_report(pipe->run(job.dir, clock, in), pipe->rules(), config.report_offset_minutes);
  }
  // The answer a filer acts on: each finding's words, what to do, and the outcome it would get.
  for (auto& f : report["findings"]) {
    if (const rules::CodeRule* rule = pipe->rules().code(f.value("code", std::string()))) {
      f["action"] = {{"kk", rule->action.kk}, {"ru", rule->action.ru}};
      f["basis"] = {{"kk", rule->basis.kk}, {"ru", rule->basis.ru}};
    }
  }
  report["would_be"] = report.value("outcome", "review");
  report.erase("outcome");
  report.erase("registration_number");
  report["bundle"] = job.id;
  report["preflight"] = {{"id", job.id}, {"signature_checked", false}};
  return report;
}

void Preflight::work() {
  std::unique_ptr<worker::AnalysisWorker> worker;
  std::string worker_init;
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      ++running_;
    }
    json result;
    try {
      if (!options_.worker_argv.empty()) {
        const auto pipe = context_.pipeline();
        const std::string init =
            worker::make_worker_init(context_.config(), pipe->rules().text, pipe->rules().source,
                                     {fs::absolute(options_.work_dir).string()});
        if (!worker || init != worker_init) {  // a reload changed config or rules
          worker_init = init;
          worker = std::make_unique<worker::AnalysisWorker>(options_.worker_argv, init,
                                                            options_.worker_limits);
        }
      }
      result = check(*job, worker.get());
    } catch (const std::exception& e) {
      result = {{"bundle", job->id},
                {"would_be", "review"},
                {"findings", json::array()},
                {"error", std::string("the draft could not be checked: ") + e.what()}};
    }
    std::error_code ec;
    fs::remove_all(job->dir, ec);  // the draft goes as soon as it is checked
    {
      std::lock_guard lock(mutex_);
      job->result = std::move(result);
      job->done = true;
      job->finished = std::chrono::steady_clock::now();
      --running_;
    }
    done_cv_.notify_all();
  }
}

}  // namespace sot::preflight
