// Time helpers. rtcstream keeps every instant as milliseconds since the Unix
// epoch (UTC) in an int64_t, and every duration as milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

// Milliseconds since 1970-01-01T00:00:00Z.
using EpochMs = int64_t;

// 10000-01-01T00:00:00Z, the end of four-digit years. A client time past it is
// garbage; below it, times and clock offsets add up without overflow.
inline constexpr EpochMs kMaxEpochMs = 253402300800000;

// The current wall-clock time.
EpochMs NowMs();

// Formats as ISO 8601 UTC with milliseconds, e.g. "2022-09-04T00:09:22.885Z".
std::string FormatIso8601(EpochMs t);

// Formats compactly for object keys and file names, e.g. "20261123T100000Z".
std::string FormatCompactUtc(EpochMs t);

// Parses "2026-11-23T10:00:00Z", "2026-11-23T10:00:00.123Z", "2026-11-23T10:00:00+01:00"
// and the date-only "2026-11-23" (midnight UTC).
Status ParseIso8601(std::string_view text, EpochMs* out);

// Parses a duration such as "500ms", "30s", "5m", "2h", "1d" (a bare number is seconds).
Status ParseDuration(std::string_view text, int64_t* out_ms);

}  // namespace rtcstream
