#include "worker/AnalysisWorker.hpp"

#include <fcntl.h>
#include <linux/landlock.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
namespace {

// Landlock: every filesystem right is handled (so denied unless a rule grants it); reading is
// granted beneath the system's read-only data and the input roots, nothing else anywhere.
// True when applied, or when the kernel has no Landlock (then `*unavailable` says so).
bool apply_landlock(const std::vector<std::string>& read_roots, bool* unavailable,
                    std::string* why) {
  *unavailable = false;
  const long abi =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 0) {
    if (errno == ENOSYS || errno == EOPNOTSUPP) {
      *unavailable = true;
      return true;
    }
    *why = std::string("landlock: ") + std::strerror(errno);
    return false;
  }
  constexpr std::uint64_t kTruncate = 1ULL << 14;  // LANDLOCK_ACCESS_FS_TRUNCATE (ABI 3)
  std::uint64_t handled =
      LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
      LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
      LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
      LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
      LANDLOCK_ACCESS_FS_MAKE_SYM;
  if (abi >= 2) handled |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) handled |= kTruncate;
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = handled;
  const int ruleset =
      static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0U));
  if (ruleset < 0) {
    *why = std::string("landlock ruleset: ") + std::strerror(errno);
    return false;
  }
  constexpr std::uint64_t kReadDir = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  constexpr std::uint64_t kReadFile = LANDLOCK_ACCESS_FS_READ_FILE;
  auto allow = [&](const std::string& path, std::uint64_t access) {
    const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return;  // not on this system: nothing to allow
    struct stat st {};
    ::fstat(fd, &st);
    landlock_path_beneath_attr rule{};
    rule.allowed_access = S_ISDIR(st.st_mode) ? access : (access & kReadFile);
    rule.parent_fd = fd;
    ::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0U);
    ::close(fd);
  };
  // System data the parsers read: libraries and their data (Tesseract's language models,
  // ICU, fonts and fontconfig), the CPU topology OpenMP reads, this process's own /proc.
  // Of /etc only what the libraries read (fontconfig, the loader's cache, the time zone):
  // /etc/sot-intake (the users file, the court's configuration) stays closed.
  for (const char* p :
       {"/usr", "/lib", "/lib64", "/etc/fonts", "/etc/ld.so.cache", "/etc/localtime",
        "/etc/timezone", "/var/cache/fontconfig", "/sys/devices/system/cpu", "/sys/fs/cgroup",
        "/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat"})
    allow(p, kReadDir);
  for (const char* p : {"/dev/null", "/dev/urandom"}) allow(p, kReadFile);
  for (const auto& p : read_roots) allow(p, kReadDir);
  const bool ok = ::syscall(SYS_landlock_restrict_self, ruleset, 0U) == 0;
  if (!ok) *why = std::string("landlock_restrict_self: ") + std::strerror(errno);
  ::close(ruleset);
  return ok;
}

}  // namespace

bool apply_sandbox(const WorkerLimits& limits, std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *why = "no_new_privs";
    return false;
  }
  rlimit cpu{limits.cpu_seconds, limits.cpu_seconds};
  rlimit core{0, 0};
  if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_CORE, &core) != 0) {
    *why = "rlimits";
    return false;
  }
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // (Sanitizer builds reserve terabytes of shadow address space: no address-space limit there.)
  rlimit as{limits.address_space_bytes, limits.address_space_bytes};
  if (setrlimit(RLIMIT_AS, &as) != 0) {
    *why = "address-space limit";
    return false;
  }
#endif
  bool no_landlock = false;
  if (!apply_landlock(limits.read_roots, &no_landlock, why)) return false;
  if (no_landlock) {
    static bool said = false;
    if (!said)
      std::cerr << "sot-intaked worker: this kernel has no Landlock: reads and writes are not "
                   "confined to the input (seccomp and rlimits still apply)\n";
    said = true;
  }
  // An allow-list: what the parsers (Poppler, Tesseract and OpenMP, libjpeg, libtiff, libzip,
  // libgsf, OpenSSL, libgcrypt) and the C++ runtime do on already-open or read-only input;
  // every other system call fails with EPERM (sockets, exec, ptrace, namespaces, mounts,
  // module and key management, …). Taken from strace of workers over every sample bundle,
  // plus what threads, signals and the sanitizer runtimes need.
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx) {
    *why = "seccomp_init";
    return false;
  }
  bool ok = true;
  for (int call :
       {// memory
        SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
        SCMP_SYS(madvise), SCMP_SYS(membarrier),
        // reading files (Landlock decides which)
        SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(close), SCMP_SYS(close_range), SCMP_SYS(read),
        SCMP_SYS(pread64), SCMP_SYS(readv), SCMP_SYS(preadv), SCMP_SYS(lseek), SCMP_SYS(fstat),
        SCMP_SYS(newfstatat), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(statx), SCMP_SYS(fstatfs),
        SCMP_SYS(statfs), SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
        SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(getdents64), SCMP_SYS(fcntl),
        SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(fadvise64), SCMP_SYS(ioctl),
        SCMP_SYS(getcwd),
        // the answer on stdout, diagnostics on stderr
        SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(poll), SCMP_SYS(ppoll),
        // a pipe of its own (the sanitizer runtimes probe memory through one)
        SCMP_SYS(pipe), SCMP_SYS(pipe2),
        // threads and their synchronisation
        SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(get_robust_list), SCMP_SYS(rseq),
        SCMP_SYS(set_tid_address), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
        SCMP_SYS(sched_setaffinity), SCMP_SYS(sched_getparam), SCMP_SYS(sched_getscheduler),
        SCMP_SYS(getpriority), SCMP_SYS(getcpu),
        // time
        SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(time),
        SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
        // signals to itself (abort), identity, limits
        SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
        SCMP_SYS(sigaltstack), SCMP_SYS(tgkill), SCMP_SYS(tkill), SCMP_SYS(getpid),
        SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
        SCMP_SYS(getegid), SCMP_SYS(getresuid), SCMP_SYS(getresgid), SCMP_SYS(getrlimit),
        SCMP_SYS(prlimit64), SCMP_SYS(getrusage), SCMP_SYS(uname), SCMP_SYS(sysinfo),
        SCMP_SYS(getrandom), SCMP_SYS(prctl), SCMP_SYS(arch_prctl), SCMP_SYS(exit),
        SCMP_SYS(exit_group), SCMP_SYS(restart_syscall)})
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, call, 0) == 0;
  // Threads, but no new namespaces: clone without any CLONE_NEW* flag; clone3 (whose flags a
  // filter cannot see) answers ENOSYS, so the C library falls back to clone.
  constexpr std::uint64_t kNewNamespaces = 0x7E020000;  // CLONE_NEWNS … CLONE_NEWNET, NEWCGROUP
  const scmp_arg_cmp no_namespaces{0, SCMP_CMP_MASKED_EQ, kNewNamespaces, 0};
  ok = ok && seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &no_namespaces) == 0;
  ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) == 0;
  ok = ok && seccomp_load(ctx) == 0;
  seccomp_release(ctx);
  if (!ok) *why = "seccomp";
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
                             const std::string& rules_source,
                             const std::vector<std::string>& read_roots) {
  return nlohmann::json{{"config", config_to_json(config)},
                        {"rules", rules_text},
                        {"rules_source", rules_source},
                        {"read_roots", read_roots}}
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
  // Lower CPU priority for work that must never starve the real queue (pre-flight drafts).
  if (limits_.nice > 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(pid), limits_.nice);
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

std::string worker_request(const std::filesystem::path& dir, const RunInputs& inputs) {
  nlohmann::json j = {{"bundle", dir.string()}};
  if (inputs.arrival) j["arrival"] = format_rfc3339(*inputs.arrival, 0);
  if (inputs.earlier) j["earlier"] = to_json(*inputs.earlier);
  if (!inputs.skip_stages.empty()) j["skip_stages"] = inputs.skip_stages;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> parse_worker_request(const std::string& line, std::filesystem::path* dir,
                                                RunInputs* inputs) {
  try {
    const auto j = nlohmann::json::parse(line);
    *dir = j.at("bundle").get<std::string>();
    *inputs = {};
    if (const auto it = j.find("arrival"); it != j.end())
      if (auto t = parse_rfc3339(it->get<std::string>())) inputs->arrival = t->utc;
    if (const auto it = j.find("earlier"); it != j.end())
      inputs->earlier = earlier_filing_from_json(*it);
    if (const auto it = j.find("skip_stages"); it != j.end())
      inputs->skip_stages = it->get<std::vector<std::string>>();
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string("malformed request: ") + e.what();
  }
}

WorkerAnswer AnalysisWorker::run(const std::filesystem::path& dir, const RunInputs& inputs) {
  WorkerAnswer a;
  if (pid_ > 0 && jobs_ >= limits_.max_jobs) kill_worker();  // recycle
  if (pid_ <= 0 && !start(&a.failure)) {
    a.unavailable = true;
    return a;
  }
  ++jobs_;
  if (!write_all(to_, worker_request(dir, inputs) + "\n")) {
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
  WorkerLimits sandbox = limits;
  try {
    const auto j = nlohmann::json::parse(init);
    config = config_from_json(j.at("config"));
    // Before the sandbox: loads the trust material.
    pipeline = build_pipeline(config, rules::load_rules(j.at("rules").get<std::string>(),
                                                        j.at("rules_source").get<std::string>()));
    sandbox.read_roots = j.value("read_roots", std::vector<std::string>{});
  } catch (const std::exception& e) {
    std::cerr << "sot-intaked worker: cannot start: " << e.what() << "\n";
    return kWorkerExitBadInit;
  }
  if (std::string why; !apply_sandbox(sandbox, &why)) {
    std::cerr << "sot-intaked worker: cannot apply the sandbox: " << why << "\n";
    return kWorkerExitNoSandbox;
  }
  SystemClock clock;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::filesystem::path dir;
    RunInputs inputs;
    if (const auto bad = parse_worker_request(line, &dir, &inputs)) {
      // The daemon wrote it: a protocol fault, answered so the daemon can tell (no report).
      std::cerr << "sot-intaked worker: " << *bad << "\n";
      return kWorkerExitBadInit;
    }
#ifdef SOT_FAULT_INJECTION
    // Test builds only: make the worker crash or hang on a bundle whose path says so.
    if (const char* f = std::getenv("SOT_FAULT_INJECT")) {  // e.g. "crash:a,hang:b"
      std::string specs = f;
      for (size_t at = 0; at < specs.size();) {
        const size_t end = std::min(specs.find(',', at), specs.size());
        const std::string spec = specs.substr(at, end - at);
        at = end + 1;
        const std::string path = dir.string();
        if (spec.rfind("crash:", 0) == 0 && path.find(spec.substr(6)) != std::string::npos)
          std::abort();
        if (spec.rfind("hang:", 0) == 0 && path.find(spec.substr(5)) != std::string::npos)
          for (;;) pause();
        // A worker turned hostile: try to read the registry, write into the spool and open a
        // socket. Any of them working is an escape: abort (the bundle shows it).
        if (spec.rfind("escape:", 0) == 0 && path.find(spec.substr(7)) != std::string::npos) {
          const std::string registry = (config.spool_root / "state" / "registry.sqlite").string();
          const int r = ::open(registry.c_str(), O_RDONLY | O_CLOEXEC);
          const int er = errno;
          const std::string probe = path + "/escape-probe";
          const int w = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
          const int ew = errno;
          const int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          const int es = errno;
          if (r >= 0 || w >= 0 || sock >= 0) {
            std::cerr << "sot-intaked worker: escape probe: ESCAPED (registry " << (r >= 0)
                      << ", write " << (w >= 0) << ", socket " << (sock >= 0) << ")\n";
            std::abort();
          }
          std::cerr << "sot-intaked worker: escape probe: all refused (registry: "
                    << std::strerror(er) << "; write into the spool: " << std::strerror(ew)
                    << "; socket: " << std::strerror(es) << ")\n";
        }
      }
    }
#endif
    const PipelineResult r = pipeline->run(dir, clock, inputs);
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
