// Who a daemon (or a clerk's command) is among several sharing one registry: the name its
// leases and holds carry, and whether a name of this host belongs to a process that is gone.
#pragma once

#include <chrono>
#include <string>

namespace sot::common {

// "<host name>:<pid>" of this process.
std::string default_instance();
// True when `instance` is "<this host>:<pid>" and no process `pid` runs (killed, crashed):
// its leases and holds can be taken at once instead of after they expire.
bool instance_is_dead(const std::string& instance);

// How long a clerk's decision holds its bundle in the registry (a decision takes seconds; a
// holder that died on another host is known only when this has passed).
inline constexpr std::chrono::seconds kDecisionHold{300};

}  // namespace sot::common
