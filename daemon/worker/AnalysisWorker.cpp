#include "worker/AnalysisWorker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "core/Pipeline.hpp"
#include "core/Report.hpp"
#include "rules/RuleSet.hpp"

extern char** environ;

namespace sot::worker {

namespace {

// posix_spawn of argv[0] with `fa` (destroyed here), default signal handling and an empty
// signal mask (not the daemon's blocked set). The posix_spawn result.
int spawn_plain(const std::vector<std::string>& argv, posix_spawn_file_actions_t* fa, pid_t* pid) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int rc = ::posix_spawn(pid, args[0], fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status))
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

}  // namespace

// No new privileges; no sockets, no exec, no ptrace: a compromised parser can neither reach
// the network nor start programs.
bool apply_sandbox(const WorkerLimits& limits) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  rlimit cpu{limits.cpu_seconds, limits.cpu_seconds};
  rlimit core{0, 0};
  if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_CORE, &core) != 0) return false;
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // (Sanitizer builds reserve terabytes of shadow address space: no address-space limit there.)
  rlimit as{limits.address_space_bytes, limits.address_space_bytes};
  if (setrlimit(RLIMIT_AS, &as) != 0) return false;
#endif
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return false;
  bool ok = true;
  for (int call :
       {SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen),
        SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
        SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev)})
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), call, 0) == 0;
  ok = ok && seccomp_load(ctx) == 0;
  seccomp_release(ctx);
  return ok;
}

SpawnedOutput run_sandboxed_program(const std::vector<std::string>& argv,
                                    std::chrono::seconds timeout, std::size_t max_output) {
  SpawnedOutput r;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    r.failure = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  pid_t pid = 0;
  const int rc = spawn_plain(argv, &fa, &pid);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    r.failure = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || r.output.size() > max_output) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    const ssize_t got = ::read(out[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    r.output.append(buf, static_cast<std::size_t>(got));
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (killed) {
    r.failure = r.output.size() > max_output ? "output over its limit" : "timed out";
    r.output.clear();
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.failure = describe_status(status);
    r.output.clear();
  } else {
    r.ok = true;
  }
  return r;
}

AnalysisWorker::AnalysisWorker(std::vector<std::string> argv, std::string init, WorkerLimits limits)
    : argv_(std::move(argv)), init_(std::move(init)), limits_(limits) {}

std::string make_worker_init(const Config& config, const std::string& rules_text,
                             const std::string& rules_source) {
  return nlohmann::json{{"config", config_to_json(config)},
                        {"rules", rules_text},
                        {"rules_source", rules_source}}
             .dump() +
         "\n";
}

AnalysisWorker::~AnalysisWorker() {
  kill_worker();
}

bool AnalysisWorker::start(std::string* why) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) {
    *why = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  if (::pipe2(out, O_CLOEXEC) != 0) {
    *why = std::string("pipe: ") + std::strerror(errno);
    ::close(in[0]);
    ::close(in[1]);
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  pid_t pid = 0;
  const int rc = spawn_plain(argv_, &fa, &pid);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    *why = "cannot start the analysis worker " + argv_[0] + ": " + std::strerror(rc);
    ::close(in[1]);
    ::close(out[0]);
    return false;
  }
  pid_ = pid;
  to_ = in[1];
  from_ = out[0];
  jobs_ = 0;
  pending_.clear();
  if (!write_all(to_, init_)) {
    *why = "the analysis worker did not take its configuration";
    kill_worker();
    return false;
  }
  return true;
}

void AnalysisWorker::kill_worker() {
  if (pid_ > 0) {
    ::close(to_);  // a healthy worker exits on end of input
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(from_);
  }
  pid_ = to_ = from_ = -1;
}

bool AnalysisWorker::prefork(std::string* why) {
  if (pid_ > 0 && jobs_ >= limits_.max_jobs) kill_worker();
  return pid_ > 0 || start(why);
}

WorkerAnswer AnalysisWorker::run(const std::filesystem::path& dir) {
  WorkerAnswer a;
  if (pid_ > 0 && jobs_ >= limits_.max_jobs) kill_worker();  // recycle
  if (pid_ <= 0 && !start(&a.failure)) {
    a.unavailable = true;
    return a;
  }
  ++jobs_;
  if (!write_all(to_, dir.string() + "\n")) {
    a.failure = "the analysis worker stopped taking work";
  } else {
    const auto deadline = std::chrono::steady_clock::now() + limits_.bundle_timeout;
    for (;;) {
      const auto nl = pending_.find('\n');
      if (nl != std::string::npos) {
        const std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        try {
          auto j = nlohmann::json::parse(line);
          a.report = std::move(j.at("report"));
          if (j.contains("court_code") && j["court_code"].is_string())
            a.court_code = j["court_code"].get<std::string>();
          return a;
        } catch (const std::exception& e) {
          a.failure = std::string("unreadable answer from the analysis worker: ") + e.what();
          break;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        a.failure = "analysis took longer than " + std::to_string(limits_.bundle_timeout.count()) +
                    " s and was stopped";
        break;
      }
      pollfd p{from_, POLLIN, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
      if (rc < 0 && errno != EINTR) {
        a.failure = std::string("poll: ") + std::strerror(errno);
        break;
      }
      if (rc <= 0) continue;
      char buf[65536];
      const ssize_t n = ::read(from_, buf, sizeof buf);
      if (n > 0) {
        pending_.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      // End of output: the worker died.
      int status = 0;
      ::waitpid(pid_, &status, 0);
      ::close(to_);
      ::close(from_);
      pid_ = to_ = from_ = -1;
      ++restarts_;
      a.failure = "the analysis worker " + describe_status(status);
      a.unavailable = WIFEXITED(status) && (WEXITSTATUS(status) == kWorkerExitBadInit ||
                                            WEXITSTATUS(status) == kWorkerExitNoSandbox);
      return a;
    }
  }
  kill_worker();
  ++restarts_;
  return a;
}

int worker_main(const WorkerLimits& limits) {
  // Dies with the thread that started it: a kill -9 of the daemon or of check must not leave
  // a worker parsing on (a hang would burn its CPU limit). A parent gone before this line
  // closed the pipe, so the read below ends the worker.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::string init;
  if (!std::getline(std::cin, init)) return kWorkerExitBadInit;
  Config config;
  std::shared_ptr<const Pipeline> pipeline;
  try {
    const auto j = nlohmann::json::parse(init);
    config = config_from_json(j.at("config"));
    // Before the sandbox: loads the trust material.
    pipeline = build_pipeline(config, rules::load_rules(j.at("rules").get<std::string>(),
                                                        j.at("rules_source").get<std::string>()));
  } catch (const std::exception& e) {
    std::cerr << "sot-intaked worker: cannot start: " << e.what() << "\n";
    return kWorkerExitBadInit;
  }
  if (!apply_sandbox(limits)) {
    std::cerr << "sot-intaked worker: cannot apply the sandbox\n";
    return kWorkerExitNoSandbox;
  }
  SystemClock clock;
  std::string line;
  while (std::getline(std::cin, line)) {
#ifdef SOT_FAULT_INJECTION
    // Test builds only: make the worker crash or hang on a bundle whose path says so.
    if (const char* f = std::getenv("SOT_FAULT_INJECT")) {  // e.g. "crash:a,hang:b"
      std::string specs = f;
      for (size_t at = 0; at < specs.size();) {
        const size_t end = std::min(specs.find(',', at), specs.size());
        const std::string spec = specs.substr(at, end - at);
        at = end + 1;
        if (spec.rfind("crash:", 0) == 0 && line.find(spec.substr(6)) != std::string::npos)
          std::abort();
        if (spec.rfind("hang:", 0) == 0 && line.find(spec.substr(5)) != std::string::npos)
          for (;;) pause();
      }
    }
#endif
    const PipelineResult r = pipeline->run(line, clock);
    const std::int32_t offset = config.report_local_offset ? local_offset_minutes(r.processed_at)
                                                           : config.report_offset_minutes;
    const nlohmann::json answer = {
        {"report", make_report(r, pipeline->rules(), offset)},
        {"court_code", r.court_code ? nlohmann::json(*r.court_code) : nlohmann::json(nullptr)}};
    std::cout << answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n'
              << std::flush;
  }
  return 0;
}

}  // namespace sot::worker
