#include "streams/window.h"

#include <limits>

namespace rtcstream {

EpochMs WindowStart(EpochMs t, int64_t interval_ms) {
  if (interval_ms <= 0) return t;
  // The remainder taken into [0, interval) makes this a floor for negative t
  // too, and never divides INT64_MIN by -1.
  int64_t offset = t % interval_ms;
  if (offset < 0) offset += interval_ms;
  EpochMs start;
  if (__builtin_sub_overflow(t, offset, &start)) return std::numeric_limits<EpochMs>::min();
  return start;
}

std::string StreamFileName(std::string_view project, EpochMs start, EpochMs end) {
  std::string name(project);
  name += '/';
  name += FormatCompactUtc(start);
  name += '_';
  name += FormatCompactUtc(end);
  name += ".json";
  return name;
}

}  // namespace rtcstream
