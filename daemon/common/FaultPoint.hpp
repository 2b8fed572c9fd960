// Test builds only (SOT_FAULT_INJECTION, the Debug configuration): SOT_FAULT_KILL_AT=STEP:NAME
// kills this process with SIGKILL when a bundle whose id contains NAME reaches STEP of a
// decision (enqueued, claimed, committed, set-aside, report, documents, before-move, moved), so
// that the tests can stop the daemon or a clerk's command exactly between two steps and check the
// recovery. Release builds compile it to nothing.
#pragma once

#include <string>

#ifdef SOT_FAULT_INJECTION
#include <signal.h>

#include <cstdlib>
#endif

namespace sot::common {

inline void fault_point([[maybe_unused]] const char* step,
                        [[maybe_unused]] const std::string& bundle) {
#ifdef SOT_FAULT_INJECTION
  const char* spec = std::getenv("SOT_FAULT_KILL_AT");
  if (!spec) return;
  const std::string s = spec;
  const auto colon = s.find(':');
  if (colon == std::string::npos || s.compare(0, colon, step) != 0) return;
  if (bundle.find(s.substr(colon + 1)) != std::string::npos) ::raise(SIGKILL);
#endif
}

}  // namespace sot::common
