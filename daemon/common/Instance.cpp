#include "common/Instance.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace sot::common {

namespace {
std::string host_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}
}  // namespace

std::string default_instance() {
  return host_name() + ":" + std::to_string(::getpid());
}

bool instance_is_dead(const std::string& instance) {
  const std::string prefix = host_name() + ":";
  if (instance.rfind(prefix, 0) != 0) return false;
  const std::string pid = instance.substr(prefix.size());
  if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const int p = std::stoi(pid);
  return p > 0 && p != ::getpid() && ::kill(p, 0) != 0 && errno == ESRCH;
}

}  // namespace sot::common
