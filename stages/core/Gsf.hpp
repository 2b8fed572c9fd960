// libgsf, initialised once per process, with its GLib log messages about damaged compound
// files dropped: damage is what the stages report themselves, and stderr is not the place.
#pragma once

namespace sot {

void init_gsf_quietly();

}  // namespace sot
