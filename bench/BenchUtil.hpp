// Helpers shared by the benchmarks: running a command-line tool quietly, medians, peak RSS;
// starting the daemon, delivering bundles into its spool and counting its decisions.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace sot::bench {

// Runs argv[0] (looked up in PATH) with stdout and stderr to /dev/null; its exit status, or
// -1 when it could not run.
inline int run_quiet(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline long peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// Text of a file.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts argv (a path) with stdout and stderr appended to `log`; its pid.
inline int spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

// Delivers a copy of `from` as incoming/<id> the way the portal does (tmp/, then rename).
inline void deliver(const std::filesystem::path& spool, const std::filesystem::path& from,
                    const std::string& id) {
  std::filesystem::copy(from, spool / "tmp" / id, std::filesystem::copy_options::recursive);
  std::filesystem::rename(spool / "tmp" / id, spool / "incoming" / id);
}

// Bundles in the outcome directories.
inline int decided(const std::filesystem::path& spool) {
  int n = 0;
  for (const char* o : {"registered", "rejected", "review"}) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(spool / o, ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
      ++n;
  }
  return n;
}

inline void stop_daemon(int pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// The p-quantile (nearest rank) of `v`.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(p * v.size())) - 1)];
}

}  // namespace sot::bench
