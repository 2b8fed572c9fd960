// File-name safety for names that come from the public (manifest entries and directory
// entries under files/). A name is used only as a single path component relative to a
// directory descriptor, never joined into a path that could escape the bundle.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sot {

// Why `name` is not a safe single file name, or nullopt when it is. Rejected: empty, "." and
// "..", '/', '\\', NUL, C0/C1 control characters and DEL, invalid UTF-8, longer than 255
// bytes (the Linux NAME_MAX).
std::optional<std::string> unsafe_file_name_reason(std::string_view name);

// Printable form of arbitrary bytes for reports and logs: valid UTF-8 is kept (controls as
// \xNN), invalid bytes are written as \xNN.
std::string printable_name(std::string_view name);

}  // namespace sot
