// The ICE candidate pair a peer connection sends its media over, and the
// connection features it implies.
//
// Chrome and Safari name it in the transport report's
// `selectedCandidatePairId`. Firefox has no transport report and flags the
// pair itself with `selected: true` (older versions only mark it nominated and
// succeeded).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "analysis/media_summary.h"
#include "session/stats_snapshot.h"

namespace rtcstream {

// A report of a snapshot and its id.
struct IdentifiedReport {
  std::string_view id;
  const StatsReport* report = nullptr;
};

// A candidate-pair report and its id.
using SelectedPair = IdentifiedReport;

// Returns the selected candidate pair of `snapshot`, or nullopt, from the
// snapshot's "transport" and "candidate-pair" reports (listed by the caller,
// which reads every report's type anyway). When several qualify (no BUNDLE:
// one transport per m-line) the smallest id wins, so the answer depends
// neither on the order of the lists nor on hash map order.
std::optional<SelectedPair> FindSelectedPair(const StatsSnapshot& snapshot,
                                             std::span<const IdentifiedReport> transports,
                                             std::span<const IdentifiedReport> candidate_pairs);

// Connection features of `pair`; nullopt when its local candidate is missing.
// connection_type is "TURN" for a relay local candidate, else "direct".
// media_transport is, for a relay, the candidate's `relayProtocol`, else the
// scheme of its TURN `url` (Safari has no relayProtocol); for other candidates
// its `protocol`. Lowercase; null when unknown.
std::optional<PeerFeatures> PairFeatures(const StatsSnapshot& snapshot, const StatsReport& pair);

}  // namespace rtcstream
