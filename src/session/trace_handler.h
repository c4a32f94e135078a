// TraceHandler: what session decoding reports about one SDK session (one page).
//
// session::TraceDecoder turns the SDK's JSON tuples into these calls, so that
// later stages never parse JSON or know about delta compression.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "session/stats_snapshot.h"

namespace rtcstream {

// The `watchrtc` message: who this peer is.
struct SessionIdentity {
  std::string room_id;
  std::string peer_id;
  std::string sdk_version;
  std::string agent_id;
  double collection_interval_ms = 0;
  // The config's keys; each value list as the SDK sends it (arrays of strings).
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
};

// The `userAgentData` message (the SDK's detectAdvancedPlatform result).
struct UserAgentInfo {
  std::string browser_name;
  std::string browser_version;
  std::string os;
  std::string os_version;
  std::string architecture;
  bool mobile = false;
};

class TraceHandler {
 public:
  virtual ~TraceHandler() = default;

  // Every accepted tuple, re-serialized compactly, for the raw history.
  virtual void OnRawTuple(std::string_view tuple_json) = 0;

  virtual void OnIdentity(const SessionIdentity& identity, double ts_ms) = 0;
  // Keys added later (`keys` message or HTTP /trace addKeys).
  virtual void OnKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& keys,
                      double ts_ms) = 0;
  virtual void OnUserAgent(const UserAgentInfo& info, double ts_ms) = 0;
  // A capture track this peer sends (kind "audio" or "video") and its device label.
  virtual void OnLocalTrack(std::string_view kind, std::string_view label, double ts_ms) = 0;

  // The delta-decoded getStats state of a peer connection after a getstats message.
  virtual void OnStats(std::string_view pc_id, const StatsSnapshot& snapshot, double ts_ms) = 0;
  virtual void OnSetLocalDescription(std::string_view pc_id, double ts_ms) = 0;
  virtual void OnConnectionState(std::string_view pc_id, std::string_view state, double ts_ms) = 0;
  virtual void OnIceConnectionState(std::string_view pc_id, std::string_view state,
                                    double ts_ms) = 0;
  virtual void OnPcClosed(std::string_view pc_id, double ts_ms) = 0;
  // `nailUpCallEnd`: the app ended a persistent ("nail-up") call with
  // watchRTC.persistentEnd(). The SDK closes the socket next and never comes back
  // under this sessionId: its next call has a sessionId of its own.
  virtual void OnPersistentCallEnd(double ts_ms) = 0;

  // rtcstream's own connection record: the offset from the client's clock to the
  // server's, measured at connect time.
  virtual void OnClockSkew(int64_t skew_ms) = 0;

  // Any tuple, after the specific call above (if any): lets the receiver track activity.
  virtual void OnTuple(std::string_view name, double ts_ms) = 0;
};

// A TraceHandler that takes no notice of anything: decoding into it only moves
// the decoder's getstats state forward. Derive from it to observe a few calls.
class IgnoringTraceHandler : public TraceHandler {
 public:
  void OnRawTuple(std::string_view) override {}
  void OnIdentity(const SessionIdentity&, double) override {}
  void OnKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>&,
              double) override {}
  void OnUserAgent(const UserAgentInfo&, double) override {}
  void OnLocalTrack(std::string_view, std::string_view, double) override {}
  void OnStats(std::string_view, const StatsSnapshot&, double) override {}
  void OnSetLocalDescription(std::string_view, double) override {}
  void OnConnectionState(std::string_view, std::string_view, double) override {}
  void OnIceConnectionState(std::string_view, std::string_view, double) override {}
  void OnPcClosed(std::string_view, double) override {}
  void OnPersistentCallEnd(double) override {}
  void OnClockSkew(int64_t) override {}
  void OnTuple(std::string_view, double) override {}
};

}  // namespace rtcstream
