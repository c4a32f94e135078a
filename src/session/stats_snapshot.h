// The decoded state of one RTCPeerConnection's getStats() result.
//
// The SDK sends getStats as deltas; session::DeltaDecoder applies them and keeps
// one StatsSnapshot per (sessionId, pcId). Later stages read it through the
// small accessors of StatsReport and never see the wire format.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "session/stats_report.h"

namespace rtcstream {

// Hashes std::string and std::string_view alike, so that the map below is
// searched by string_view without building a temporary string.
struct StatNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Every report of one getStats() call, keyed by report id.
struct StatsSnapshot {
  // The top-level timestamp of the most recent getstats message (browser clock, epoch ms).
  double timestamp_ms = 0;
  std::unordered_map<std::string, StatsReport, StatNameHash, std::equal_to<>> reports;

  // Returns the report with this id, or nullptr.
  const StatsReport* Find(std::string_view id) const;
};

}  // namespace rtcstream
