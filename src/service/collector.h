// Collector: the heart of the service. It authenticates SDK connections, feeds
// their frames through wire decoding, session decoding and analysis, groups
// peers into room sessions, persists raw traces and finished rooms in the
// history store, and delivers data stream windows to the sink.
//
// Thread-safe: the server calls it from several threads. Frames of different
// SDK sessions are decoded in parallel; a short global lock covers only the
// session and room maps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time_util.h"
#include "service/config.h"

namespace rtcstream {

class HistoryStore;
class Metrics;
class Sink;

// What the server learned from a WebSocket upgrade request.
struct ConnectRequest {
  std::string api_key;     // the `apiKey` query parameter (never logged)
  std::string session_id;  // `sessionId`
  bool new_connection = true;
  int64_t client_timestamp_ms = 0;  // `timestamp`: the client's clock at connect
  std::string remote_address;
  std::string user_agent;
};

// Counters for logs and tests.
struct CollectorStats {
  uint64_t frames_accepted = 0;
  uint64_t frames_rejected = 0;
  uint64_t tuples_rejected = 0;
  size_t open_rooms = 0;
  size_t live_sessions = 0;
};

class Collector {
 public:
  // One authenticated WebSocket. Opaque to the server.
  struct Connection;

  // Opens the history under config.data_dir and restores the rooms that were open
  // when the service last stopped.
  static Status Open(const ServiceConfig& config, std::unique_ptr<Collector>* out);
  ~Collector();

  // Authenticates an SDK connection. On success sets *conn and *reply (the one JSON
  // reply the SDK waits for); on a wrong key returns PermissionDenied and sets
  // *reply to {"error": ...}.
  Status Connect(const ConnectRequest& request, std::shared_ptr<Connection>* conn,
                 std::string* reply);

  // Handles one text frame. A non-OK status describes what was rejected; the
  // connection stays usable and everything valid in the frame was accepted.
  Status OnFrame(Connection& conn, std::string_view frame);

  // The socket closed (any reason).
  void Disconnect(Connection& conn);

  // Handles the body of POST /trace or POST /error.
  Status OnHttpTrace(std::string_view body, std::string_view remote_address,
                     std::string_view user_agent);

  // Every closed session of a room id of the project that `access_token` belongs
  // to, as a JSON array of data stream structs. PermissionDenied for an unknown
  // token; rooms of other projects are never visible.
  Status RoomJson(std::string_view access_token, std::string_view room_id, std::string* json);

  // The time series of peer `peer_id` in room `room_id` of the project that
  // `access_token` belongs to, as JSON (streams/series_json.h): of the open
  // session when the peer is in it, else of the latest closed session that has
  // the peer. PermissionDenied for an unknown token, NotFound for an unknown
  // room or peer; rooms of other projects are never visible.
  Status PeerSeriesJson(std::string_view access_token, std::string_view room_id,
                        std::string_view peer_id, std::string* json);

  // The data stream settings (secrets described, never shown) and delivery state
  // of the project `access_token` belongs to, as JSON (GET /streams).
  // PermissionDenied for an unknown token.
  Status StreamsJson(std::string_view access_token, std::string* json);

  // Periodic work: persists pending traces, closes rooms whose grace has passed,
  // and seals every data stream window that has ended.
  void Tick(EpochMs now);

  // Delivers sealed windows to each project's sink, oldest first. A failed window
  // stays pending and is retried with backoff on later calls (and after a restart).
  // Slow (network I/O): call it from its own thread.
  void Deliver(EpochMs now);

  // Persists every accepted tuple not yet in the history, for all sessions, in one
  // transaction (group commit). Called every few tens of milliseconds by the
  // service: a crash loses at most the tuples accepted since the last call.
  Status PersistTraces();

  // Persists everything pending (clean shutdown). Open rooms stay open in the
  // history and are restored by the next Open().
  void Flush();

  CollectorStats Stats() const;

  // The service's Prometheus metrics; the server records its own events here too.
  Metrics& metrics();

  // The metrics in Prometheus text format, with the gauges brought up to date.
  std::string RenderMetrics();

  // True while the history accepts writes (the last journal commit succeeded).
  bool Ready() const;

 private:
  struct Impl;
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtcstream
