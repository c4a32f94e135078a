// The finished description of a room session and its peers: what the rooms
// stage hands on when a room closes, and what a data stream struct is made of.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/media_summary.h"
#include "common/time_util.h"

namespace rtcstream {

// Where a peer connects from (GeoIP); every field null when unknown.
struct PeerLocation {
  std::optional<std::string> city;
  std::optional<std::string> country;
  std::optional<std::string> organization;
};

// One peer of a room session.
struct PeerRecord {
  std::string peer_id;
  std::optional<std::string> os;
  std::optional<std::string> os_version;
  std::optional<std::string> browser;
  std::optional<std::string> browser_version;
  PeerLocation location;
  std::optional<std::string> sdk_version;
  EpochMs start_ms = 0;
  EpochMs end_ms = 0;
  // Key name -> values, in the order first seen. The SDK sends arrays of strings.
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  PeerFeatures features;
  MediaSummary stats;
  std::optional<std::string> audio_device;
  std::optional<std::string> video_device;
};

// One session of a room id: from the first peer joining to the last one leaving.
struct RoomRecord {
  std::string project;
  std::string room_id;
  EpochMs start_ms = 0;
  EpochMs end_ms = 0;
  std::vector<PeerRecord> peers;
};

}  // namespace rtcstream
