// A peer's time series as JSON, for GET /rooms/<room>/peers/<peer>/series.
//
// Columnar: one array per figure, one element per getStats sample, so that a
// chart takes each array as it is. The layout is in the README and
// docs/metrics.md ("time series").
#pragma once

#include <string>
#include <string_view>

#include "analysis/peer_series.h"

namespace rtcstream {

// Returns `series` of peer `peer_id` in room `room_id` as compact JSON. `live`
// says whether the room is still open (the series is still growing).
std::string PeerSeriesToJson(std::string_view room_id, std::string_view peer_id,
                             const PeerSeries& series, bool live);

}  // namespace rtcstream
