// Validation of the object names sinks are asked to write.
//
// Names come from StreamFileName and the project id, but a sink is the last
// line of defence before a name becomes a path or a key: one that climbs out
// of the sink's root ("../x") or is absolute must never reach the file system.
#pragma once

#include <string_view>

#include "common/status.h"

namespace rtcstream {

// Returns OK when `name` is a safe relative name: non-empty, not absolute,
// made of '/'-separated components that are neither empty, "." nor "..", and
// free of NUL bytes and backslashes. Otherwise returns InvalidArgument.
Status ValidateObjectName(std::string_view name);

}  // namespace rtcstream
