// Data stream windows: the fixed intervals each data stream file covers.
//
// Windows are aligned to the Unix epoch rather than to the collector's start
// time, so that a restart, or a second collector, cuts exactly the same
// windows and a file name always denotes the same interval.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/time_util.h"

namespace rtcstream {

// The start of the window of length `interval_ms` that contains `t`: the
// largest multiple of interval_ms not after t. Returns t unchanged when
// interval_ms is not positive, and the smallest EpochMs when the true start is
// below it (neither happens with validated settings; both avoid overflow).
EpochMs WindowStart(EpochMs t, int64_t interval_ms);

// The object name of a project's data stream file for [start, end), e.g.
// "acme/20261123T100000Z_20261123T110000Z.json". Times have second
// resolution (windows are whole minutes), and names sort chronologically.
// `project` must already be validated ([A-Za-z0-9_-]).
std::string StreamFileName(std::string_view project, EpochMs start, EpochMs end);

}  // namespace rtcstream
