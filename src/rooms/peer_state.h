// PeerState: everything rtcstream knows about one SDK session (one page of one
// peer) while it is live: its decoder, its analyzer, identity and devices.
//
// Frames are fed in with Feed*; raw tuples accumulate until TakePendingTrace()
// hands them to the history store. Not thread-safe: the owner serializes calls.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/peer_analyzer.h"
#include "common/status.h"
#include "common/time_util.h"
#include "rooms/room_record.h"
#include "session/trace_decoder.h"
#include "session/trace_handler.h"

namespace rtcstream {

class PeerState : public TraceHandler {
 public:
  // `user_agent` is the handshake's User-Agent header (a fallback for the browser).
  PeerState(std::string session_id, std::string user_agent);

  // Caps the keys kept for this peer: at most `max_keys` names, and names and values
  // of at most `max_length` bytes. Keys beyond that are dropped and counted.
  void SetKeyLimits(size_t max_keys, size_t max_length) {
    max_keys_ = max_keys;
    max_key_length_ = max_length;
  }
  // Key names or values dropped by the limits so far.
  size_t dropped_keys() const { return dropped_keys_; }

  // The offset added to client timestamps to place them on the server's clock.
  int64_t clock_skew_ms() const { return skew_ms_; }

  // Decodes one frame's JSON text (a tuple or an array of tuples).
  Status FeedFrameJson(std::string_view json, FrameDecodeResult* result);
  // Decodes one tuple (HTTP /trace, or a stored trace line during replay).
  Status FeedTupleJson(std::string_view json, TupleSource source = TupleSource::kTrusted);

  // Decodes and analyses a trace the history already holds (the peer's own,
  // after a restart, or to recompute its figures), without recording its
  // lines again.
  void ReplayStoredTrace(std::string_view trace);

  // Rebuilds the getstats baselines from the trace of this SDK session's earlier
  // room session, which closed while the page was away: the SDK's deltas
  // continue from what it sent then. That trace is neither recorded again nor
  // analysed; this room session's figures start from its own first sample.
  void ContinueDeltasFrom(std::string_view earlier_trace);

  // Appends a tuple of rtcstream's own (e.g. a connection record) to the raw trace
  // and applies it, so that a replay of the trace restores the same state. The
  // timestamp is on the client's clock, like every other tuple.
  void RecordServerEvent(std::string_view name, std::string_view data_json, double client_ts_ms);

  // The raw tuples accepted since the last call, newline-terminated.
  std::string TakePendingTrace();
  bool HasPendingTrace() const { return !pending_trace_.empty(); }
  // Makes room for `bytes` of raw tuples, e.g. a whole imported dump, so that
  // the pending trace does not grow by copying itself.
  void ReservePendingTrace(size_t bytes) { pending_trace_.reserve(bytes); }
  // Puts back lines taken by TakePendingTrace() that could not be stored, ahead of
  // anything accepted since, so that the trace keeps its order and loses nothing.
  void RestorePendingTrace(std::string lines) { pending_trace_.insert(0, lines); }

  // Identity: known once the `watchrtc` message arrived.
  bool has_identity() const { return has_identity_; }
  const std::string& room_id() const { return identity_.room_id; }
  const std::string& peer_id() const { return identity_.peer_id; }
  const std::string& session_id() const { return session_id_; }
  const std::string& user_agent() const { return user_agent_; }

  // Where the peer connects from (GeoIP), looked up by the service when it connected.
  void SetLocation(PeerLocation location) { location_ = std::move(location); }
  const PeerLocation& location() const { return location_; }

  // Sets room and peer ids from an HTTP /trace body when no `watchrtc` message came.
  void SetIdentityIfMissing(std::string_view room_id, std::string_view peer_id);

  // First and last tuple time on the server's clock (nullopt before any tuple).
  // A persistent call that ended starts at the session's first connection
  // instead: the SDK sends the events it buffered before the call with it.
  std::optional<EpochMs> first_seen_ms() const;
  std::optional<EpochMs> last_seen_ms() const;

  // True once the SDK ended this session's persistent ("nail-up") call
  // (`nailUpCallEnd`): the session will not come back.
  bool persistent_call_ended() const { return persistent_call_ended_; }

  // Builds the peer's part of the data stream struct.
  PeerRecord ToRecord() const;
  // The peer's time series so far, on the server's clock, starting at the
  // peer's start_time.
  PeerSeries Series() const;

  // TraceHandler:
  void OnRawTuple(std::string_view tuple_json) override;
  void OnIdentity(const SessionIdentity& identity, double ts_ms) override;
  void OnKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& keys,
              double ts_ms) override;
  void OnUserAgent(const UserAgentInfo& info, double ts_ms) override;
  void OnLocalTrack(std::string_view kind, std::string_view label, double ts_ms) override;
  void OnStats(std::string_view pc_id, const StatsSnapshot& snapshot, double ts_ms) override;
  void OnSetLocalDescription(std::string_view pc_id, double ts_ms) override;
  void OnConnectionState(std::string_view pc_id, std::string_view state, double ts_ms) override;
  void OnIceConnectionState(std::string_view pc_id, std::string_view state, double ts_ms) override;
  void OnPcClosed(std::string_view pc_id, double ts_ms) override;
  void OnPersistentCallEnd(double ts_ms) override;
  void OnClockSkew(int64_t skew_ms) override { skew_ms_ = skew_ms; }
  void OnTuple(std::string_view name, double ts_ms) override;

 private:
  void MergeKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& keys);

  std::string session_id_;
  std::string user_agent_;
  int64_t skew_ms_ = 0;

  TraceDecoder decoder_;
  PeerAnalyzer analyzer_;

  bool has_identity_ = false;
  SessionIdentity identity_;
  std::vector<std::pair<std::string, std::vector<std::string>>> keys_;
  std::optional<UserAgentInfo> user_agent_data_;
  PeerLocation location_;
  std::optional<std::string> audio_device_;
  std::optional<std::string> video_device_;
  // First and last tuple time on the client's clock.
  std::optional<double> first_client_ms_;
  std::optional<double> last_client_ms_;
  // Client time of the session's first connection record (kServerConnectTuple).
  std::optional<double> first_connect_client_ms_;
  bool persistent_call_ended_ = false;

  std::string pending_trace_;
  bool record_raw_ = true;  // false while replaying a stored trace
  size_t max_keys_ = 64;
  size_t max_key_length_ = 1024;
  size_t dropped_keys_ = 0;
};

}  // namespace rtcstream
