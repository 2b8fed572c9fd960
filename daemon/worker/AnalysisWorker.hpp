// Analysis worker processes: the pipeline — every parser of untrusted bytes (Poppler,
// libjpeg, libtiff, libzip, libgsf, OpenSSL's ASN.1) — runs in a separate process so that a
// crash or a hang costs one bundle (PROCESSING_FAILED, review), never the daemon.
//
// A worker is the daemon's own binary started with --analysis-worker (a fresh exec, not a
// fork of a multi-threaded process). It runs with no new privileges, address-space and CPU
// limits, and a seccomp filter that refuses sockets, exec and ptrace; it reads one request per
// line on stdin — {"bundle": path, "arrival": RFC 3339, "earlier": EarlierFiling} (what the
// daemon looked up in the registry for it) — and answers one JSON line on stdout:
//   {"report": <report.json without a registration number>, "court_code": "7110" | null}
// Each daemon worker thread owns one worker process, reuses it, and replaces it after
// `max_jobs` bundles, after any fault, and when a bundle exceeds its time limit (kill -9).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/Config.hpp"
#include "core/Pipeline.hpp"

namespace sot::worker {

struct WorkerLimits {
  std::chrono::seconds bundle_timeout{120};
  std::uint64_t address_space_bytes = 6ull << 30;
  std::uint64_t cpu_seconds = 3600;  // over a worker's life; it is recycled long before
  unsigned max_jobs = 200;
  int nice = 0;  // > 0: the worker process runs at this lower CPU priority
  // Directories the sandboxed process may read beneath (its input: the spool's active/, the
  // bundles `check` was given), beside the system's read-only data (libraries, Tesseract's
  // language data, fonts).
  std::vector<std::string> read_roots;
};

struct WorkerAnswer {
  std::optional<nlohmann::json> report;  // set on success
  std::optional<std::string> court_code;
  std::string failure;  // why there is no report (crash, timeout, protocol)
  // The worker could not start or set itself up (exec, configuration, sandbox): the bundle
  // was never looked at, so its content is not to blame.
  bool unavailable = false;
};

// Exit statuses of a worker that cannot set itself up (a crash is a signal, or status 1
// under the sanitizers).
inline constexpr int kWorkerExitBadInit = 2;
inline constexpr int kWorkerExitNoSandbox = 3;

// One request line to a worker, and its parsing (nullopt on success, else why).
std::string worker_request(const std::filesystem::path& dir, const RunInputs& inputs);
std::optional<std::string> parse_worker_request(const std::string& line, std::filesystem::path* dir,
                                                RunInputs* inputs);

class AnalysisWorker {
 public:
  // `argv` starts the worker process (the daemon binary with --analysis-worker); `init` is the
  // first line it is sent: the daemon's effective config and rules (make_worker_init).
  AnalysisWorker(std::vector<std::string> argv, std::string init, WorkerLimits limits);
  ~AnalysisWorker();
  AnalysisWorker(const AnalysisWorker&) = delete;
  AnalysisWorker& operator=(const AnalysisWorker&) = delete;

  // Runs the pipeline over the bundle at `dir` in the worker process.
  WorkerAnswer run(const std::filesystem::path& dir, const RunInputs& inputs = {});
  // Starts the process now if none is running (after a fault or a recycle), so the next
  // bundle does not wait for its start-up. False, with why, when it cannot start.
  bool prefork(std::string* why);

  int restarts() const { return restarts_; }

 private:
  bool start(std::string* why);
  void kill_worker();

  std::vector<std::string> argv_;
  std::string init_;
  WorkerLimits limits_;
  int pid_ = -1;
  int to_ = -1;
  int from_ = -1;
  unsigned jobs_ = 0;
  int restarts_ = 0;
  std::string pending_;  // bytes read past the last answer
};

// The sandbox of every process that parses untrusted bytes: no new privileges, CPU and
// address-space limits; Landlock (where the kernel has it): no write, create, remove or
// rename anywhere, read only beneath `read_roots` and the system's read-only data (so not the
// registry, the users file or the rest of the spool); a seccomp filter refusing sockets,
// exec, ptrace and the kernel's administrative calls. `why` says what failed.
bool apply_sandbox(const WorkerLimits& limits, std::string* why = nullptr);

// Runs a helper program (this binary in a one-shot mode, e.g. a page preview) to its end,
// with stdin from /dev/null, collecting stdout; killed past `timeout` or `max_output`.
struct SpawnedOutput {
  bool ok = false;  // exited 0
  std::string output;
  std::string failure;
};
SpawnedOutput run_sandboxed_program(const std::vector<std::string>& argv,
                                    std::chrono::seconds timeout, std::size_t max_output);

// The init line: the config and the rules text the daemon loaded and validated, so a worker
// started after a refused reload still works with what the daemon serves.
std::string make_worker_init(const Config& config, const std::string& rules_text,
                             const std::string& rules_source,
                             const std::vector<std::string>& read_roots);

// The worker side: reads the init line, builds the pipeline, applies the sandbox and serves
// requests on stdin/stdout until stdin closes. Returns the process exit status.
int worker_main(const WorkerLimits& limits);

}  // namespace sot::worker
