// The ICE candidate pair a peer connection sends its media over, and the
// connection features it implies.
//
// Chrome and Safari name it in the transport report's
// `selectedCandidatePairId`. Firefox has no transport report and flags the
// pair itself with `selected: true` (older versions only mark it nominated and
// succeeded).
#pragma once

#include <optional>
#include <string_view>

#include "analysis/media_summary.h"
#include "session/stats_snapshot.h"

namespace rtcstream {

// A candidate-pair report and its id.
struct SelectedPair {
  std::string_view id;
  const StatsReport* report = nullptr;
};

// Returns the selected candidate pair of `snapshot`, or nullopt. When several
// qualify (no BUNDLE: one transport per m-line) the smallest id wins, so the
// answer does not depend on hash map order.
std::optional<SelectedPair> FindSelectedPair(const StatsSnapshot& snapshot);

// Connection features of `pair`; nullopt when its local candidate is missing.
// connection_type is "TURN" for a relay local candidate, else "direct".
// media_transport is, for a relay, the candidate's `relayProtocol`, else the
// scheme of its TURN `url` (Safari has no relayProtocol); for other candidates
// its `protocol`. Lowercase; null when unknown.
std::optional<PeerFeatures> PairFeatures(const StatsSnapshot& snapshot, const StatsReport& pair);

}  // namespace rtcstream
