// How much a cumulative getStats counter advanced between two samples of the
// same report.
#pragma once

#include <optional>

#include "session/stats_snapshot.h"

namespace rtcstream {

// Returns current[field] - previous[field] when both are numbers and the
// counter did not go backwards; nullopt otherwise. A counter that decreases
// was reset (a new SSRC under a reused id, an ICE restart, a re-created
// sender), and the reset sample carries no usable delta: taking it would add
// a negative amount, or the whole new counter value, to the totals.
std::optional<double> CounterDelta(const StatsReport& previous, const StatsReport& current,
                                   StatField field);

}  // namespace rtcstream
