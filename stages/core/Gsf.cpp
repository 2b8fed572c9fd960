#include "core/Gsf.hpp"

#include <gsf/gsf.h>

#include <mutex>

namespace sot {

void init_gsf_quietly() {
  static std::once_flag once;
  std::call_once(once, [] {
    gsf_init();
    // (Some of its messages carry no domain, hence the default one too.)
    for (const char* domain :
         {"libgsf:msole", "libgsf:utils", "libgsf", static_cast<const char*>(nullptr)})
      g_log_set_handler(
          domain, static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK),
          [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

}  // namespace sot
