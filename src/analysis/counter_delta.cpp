#include "analysis/counter_delta.h"

namespace rtcstream {

std::optional<double> CounterDelta(const StatsReport& previous, const StatsReport& current,
                                   StatField field) {
  const std::optional<double> before = GetNumber(previous, field);
  const std::optional<double> now = GetNumber(current, field);
  if (!before || !now || *now < *before) return std::nullopt;
  return *now - *before;
}

}  // namespace rtcstream
