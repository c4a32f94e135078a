// How much a cumulative getStats counter advanced between two samples of the
// same report.
#pragma once

#include <optional>

namespace rtcstream {

// Returns now - before when both are known and the counter did not go
// backwards; nullopt otherwise. A counter that decreases was reset (a new SSRC
// under a reused id, an ICE restart, a re-created sender), and the reset sample
// carries no usable delta: taking it would add a negative amount, or the whole
// new counter value, to the totals.
inline std::optional<double> CounterDelta(std::optional<double> before, std::optional<double> now) {
  if (!before || !now || *now < *before) return std::nullopt;
  return *now - *before;
}

}  // namespace rtcstream
