// The analysis workers' sandbox, applied in a child process: no sockets, no exec, no ptrace,
// no core dumps, bounded CPU and address space; ordinary file reading still works.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sstream>
#include <thread>

#include "cli/CheckCommand.hpp"
#include "support/TestBundle.hpp"
#include "worker/AnalysisWorker.hpp"

TEST_CASE("the worker sandbox refuses network, exec and ptrace", "[sandbox]") {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child reports each failed expectation as a distinct exit code.
    sot::worker::WorkerLimits limits;
    limits.cpu_seconds = 10;
    if (!sot::worker::apply_sandbox(limits)) ::_exit(10);
    errno = 0;
    if (::socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM) ::_exit(11);
    if (::socket(AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EPERM) ::_exit(12);
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execve("/bin/true", argv, nullptr);
    if (errno != EPERM) ::_exit(13);
    if (::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != -1 || errno != EPERM) ::_exit(14);
    rlimit core{}, cpu{};
    ::getrlimit(RLIMIT_CORE, &core);
    ::getrlimit(RLIMIT_CPU, &cpu);
    if (core.rlim_cur != 0 || cpu.rlim_cur != 10) ::_exit(15);
    const int fd = ::open("/proc/self/status", O_RDONLY);  // parsers still read files
    if (fd < 0) ::_exit(16);
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    if (n <= 0) ::_exit(17);
    buf[n] = 0;
    if (!std::strstr(buf, "NoNewPrivs:\t1")) ::_exit(18);
    if (!std::strstr(buf, "Seccomp:\t2")) ::_exit(19);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the worker reads beneath its input roots only, writes nothing, makes no namespace",
          "[sandbox][trust]") {
  using namespace sot::test;
  TempDir t;
  const auto input = t.path() / "spool" / "active";
  const auto state = t.path() / "spool" / "state";
  std::filesystem::create_directories(input / "b");
  std::filesystem::create_directories(state);
  write_file(input / "b" / "manifest.json", "{}");
  write_file(state / "registry.sqlite", "not for the worker");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    sot::worker::WorkerLimits limits;
    limits.read_roots = {input.string()};
    std::string why;
    if (!sot::worker::apply_sandbox(limits, &why)) ::_exit(10);
    // Its input: readable.
    int fd = ::open((input / "b" / "manifest.json").c_str(), O_RDONLY);
    if (fd < 0) ::_exit(11);
    ::close(fd);
    // The registry beside it: not even readable.
    if (::open((state / "registry.sqlite").c_str(), O_RDONLY) != -1 || errno != EACCES) ::_exit(12);
    // Nothing written, created, renamed or removed, in the input or anywhere else.
    if (::open((input / "b" / "manifest.json").c_str(), O_WRONLY) != -1) ::_exit(13);
    if (::open((input / "b" / "new").c_str(), O_WRONLY | O_CREAT, 0600) != -1) ::_exit(14);
    if (::open("/tmp/sot-sandbox-probe", O_WRONLY | O_CREAT, 0600) != -1) ::_exit(15);
    if (::rename((input / "b").c_str(), (input / "c").c_str()) != -1) ::_exit(16);
    if (::unlink((input / "b" / "manifest.json").c_str()) != -1) ::_exit(17);
    // Of /etc only what the libraries need: not the accounts, not /etc/sot-intake.
    if (::open("/etc/passwd", O_RDONLY) != -1 || errno != EACCES) ::_exit(22);
    // System data still readable (libraries, Tesseract's data live under /usr).
    fd = ::open("/usr/lib/os-release", O_RDONLY);
    if (fd < 0) fd = ::open("/etc/os-release", O_RDONLY);
    if (fd < 0) ::_exit(18);
    ::close(fd);
    // Threads still start (clone3 refused, the C library falls back to clone)…
    bool ran = false;
    std::thread([&] { ran = true; }).join();
    if (!ran) ::_exit(21);
    // …but no namespaces, no mounts.
    if (::unshare(CLONE_NEWUSER) != -1 || errno != EPERM) ::_exit(19);
    if (::mount("none", "/tmp", "tmpfs", 0, nullptr) != -1) ::_exit(20);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(std::filesystem::exists(input / "b" / "new"));
}

TEST_CASE("check fails closed when no sandboxed worker can start", "[sandbox][cli]") {
  using namespace sot::test;
  TempDir t;
  std::vector<std::filesystem::path> bundles;
  for (const char* id : {"a", "b", "c"}) bundles.push_back(BundleBuilder(id).write(t.path()));
  sot::Config config = test_config();
  sot::cli::CheckRun run;
  run.worker_argv = {(t.path() / "no-such-worker").string(), "--analysis-worker"};
  run.jobs = 2;
  std::ostringstream out;
  REQUIRE(sot::cli::run_check(config, bundles, run, sot::SystemClock{}, out) == 3);
  std::istringstream in(out.str());
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(lines[i]["bundle"] == bundles[i].filename().string());
    // Never parsed without isolation: a clerk's review, never the filer's fault.
    CHECK(lines[i]["outcome"] == "review");
    REQUIRE(lines[i]["findings"].size() == 1);
    CHECK(lines[i]["findings"][0]["code"] == "PROCESSING_FAILED");
    CHECK(lines[i]["findings"][0]["detail"]["reason"].get<std::string>().find(
              "no sandboxed analysis worker can start") != std::string::npos);
  }
}
