// What a simulated peer sends: the frames of one recorded SDK connection,
// with their recorded spacing and their tuple counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdk_recording.h"

namespace rtcstream {

// One frame to send.
struct ScriptFrame {
  std::string text;
  double gap_ms = 0;  // recorded time since the previous frame (or the open)
  uint32_t tuples = 0;
  uint32_t getstats = 0;
  bool watchrtc = false;  // the `watchrtc` signalling frame: rewritten per peer
};

// The script of one recorded connection.
struct ConnectionScript {
  std::string peer_id;  // the recorded rtcPeerId
  std::string user_agent;
  std::string client_timestamp;  // the recorded `timestamp` query parameter
  // The call up to its last getstats delta; the hang-up after it is left out.
  std::vector<ScriptFrame> frames;
  // Indices into `frames` of the getstats deltas a longer call repeats, and
  // the recorded gap before each (the first one's is the median gap).
  std::vector<size_t> cycle;
  std::vector<double> cycle_gap_ms;
};

// Builds one script per connection of `recording` that has a `watchrtc` frame.
Status BuildScripts(const Recording& recording, std::vector<ConnectionScript>* out);

// The `watchrtc` tuple `frame` with its rtcRoomId, rtcPeerId and rtcApiKey replaced.
Status RewriteWatchrtc(std::string_view frame, std::string_view room_id, std::string_view peer_id,
                       std::string_view api_key, std::string* out);

}  // namespace rtcstream
