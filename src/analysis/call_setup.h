// CallSetupTracker: the call setup time of one peer.
//
// testRTC measures it "from the moment the first setLocalDescription() ... is
// called and until the first onconnectionstatechange(connected) is received".
// Browsers without connectionState (older Firefox) only report the ICE
// connection state; for them "connected" or "completed" of iceConnectionState
// stands in, but only when no connectionState event arrived at all, so that
// the two clocks are never mixed for one peer.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace rtcstream {

class CallSetupTracker {
 public:
  // A setLocalDescription() call at client time `ts_ms`.
  void OnSetLocalDescription(double ts_ms);
  // A connectionstatechange event.
  void OnConnectionState(std::string_view state, double ts_ms);
  // An iceconnectionstatechange event.
  void OnIceConnectionState(std::string_view state, double ts_ms);

  // Milliseconds from the first setLocalDescription() to the first connection
  // at or after it (any peer connection); nullopt when it never connected.
  std::optional<double> Value() const;

 private:
  std::optional<double> first_sld_ms_;
  bool saw_connection_state_ = false;
  // Every "connected" instant: a peer connection may connect before the
  // setLocalDescription() that starts the clock is known (events of several
  // peer connections interleave), so the choice waits until Value().
  std::vector<double> connected_ms_;
  std::vector<double> ice_connected_ms_;
};

}  // namespace rtcstream
