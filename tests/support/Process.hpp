// Runs a program (no shell) and captures its exit status, stdout and stderr: the end-to-end
// tests drive the real binaries this way.
#pragma once

#include <string>
#include <vector>

namespace sot::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace sot::test

namespace sot::test {

// Starts a program in the background with stdout/stderr appended to `log`; returns its pid.
int spawn_background(const std::vector<std::string>& argv, const std::string& log);
// Waits for a pid; returns its exit status (128 + signal when killed).
int wait_for(int pid);

}  // namespace sot::test
