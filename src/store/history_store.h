// HistoryStore: the durable history of rooms, peers, their raw traces and the
// data stream windows already delivered.
//
// This is the only interface the rest of rtcstream uses to persist anything,
// so that a second backend (PostgreSQL, for several collectors sharing one
// history) can be added without touching other stages. Implementations must
// be safe to call from several threads.
#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/peer_series.h"
#include "common/status.h"
#include "common/time_util.h"
#include "rooms/room_record.h"
#include "store/trace_codec.h"

namespace rtcstream {

// What is known about a peer when it joins a room.
struct StoredPeerInfo {
  std::string session_id;  // the SDK's sessionId (stable for the page's lifetime)
  std::string peer_id;     // rtcPeerId
  EpochMs joined_ms = 0;
  std::string remote_address;  // the client's address as seen by the server
  std::string user_agent;      // the handshake's User-Agent header
  PeerLocation location;       // from GeoIP when the peer connected; null when unknown
};

// A peer as read back from the store.
struct StoredPeer {
  int64_t peer_key = 0;
  StoredPeerInfo info;
};

// A room session that has not been closed yet, with its peers.
struct OpenRoom {
  int64_t room_key = 0;
  std::string project;
  std::string room_id;
  EpochMs start_ms = 0;
  std::vector<StoredPeer> peers;
};

// A data stream window of a project and where its delivery stands. A window is
// sealed once it has ended: from then on the set of rooms in it is fixed, so
// every attempt to deliver it produces the same bytes.
struct StreamWindow {
  std::string project;
  EpochMs window_start = 0;
  EpochMs window_end = 0;
  EpochMs sealed_ms = 0;
  bool delivered = false;
  int64_t attempts = 0;    // failed delivery attempts so far
  std::string last_error;  // of the latest failed attempt
  // Known once delivered:
  EpochMs delivered_ms = 0;
  std::string location;  // where the sink put it (path or s3:// URL)
  std::string etag;      // the object store's ETag, when it gives one
  int64_t room_count = 0;
  int64_t size_bytes = 0;
  std::string sha256_hex;
};

// A peer's time series to keep (see PeerSeries).
struct PeerSeriesEntry {
  int64_t peer_key = 0;
  PeerSeries series;
};

// A peer's time series as found in the history.
struct FoundPeerSeries {
  int64_t peer_key = 0;
  // False for a peer whose room closed before series were kept: its series
  // can be recomputed from its raw trace.
  bool stored = false;
  PeerSeries series;
};

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Creates a new, open room session; returns its key.
  virtual Status CreateRoom(std::string_view project, std::string_view room_id, EpochMs start_ms,
                            int64_t* room_key) = 0;

  // Adds a peer to an open room session; returns its key.
  virtual Status AddPeer(int64_t room_key, const StoredPeerInfo& info, int64_t* peer_key) = 0;

  // Appends raw decoded trace lines (newline-terminated JSON tuples) to a peer's trace.
  // The store compresses them. Appends are durable when this returns OK.
  virtual Status AppendTrace(int64_t peer_key, std::string_view lines) = 0;

  // Appends a chunk of lines the caller has compressed (CompressTraceChunk), so
  // that compressing, the expensive part, can run on the caller's threads.
  virtual Status AppendTraceChunk(int64_t peer_key, const TraceChunk& chunk) = 0;

  // One peer's lines for AppendTraces.
  struct TraceAppend {
    int64_t peer_key = 0;
    std::string lines;
  };

  // Appends to several peers' traces in one transaction: one durable commit for a
  // whole batch (group commit). All or nothing.
  virtual Status AppendTraces(const std::vector<TraceAppend>& batch) = 0;

  // Reads a peer's whole trace back, decompressed, in append order.
  virtual Status ReadTrace(int64_t peer_key, std::string* lines) = 0;

  // What CompactTrace did, in stored (compressed) bytes.
  struct CompactionResult {
    int64_t chunks_before = 0;
    int64_t stored_bytes_before = 0;
    int64_t stored_bytes_after = 0;
  };

  // Rewrites a peer's trace as one chunk (for a peer that gets no more appends: its
  // room is closed). Atomic: a crash at any point leaves either the old chunks or
  // the new one, and ReadTrace returns the same lines either way. A trace of at
  // most one chunk is left as it is.
  virtual Status CompactTrace(int64_t peer_key, CompactionResult* result) = 0;

  // Closes a room session: stores its finished data stream struct (JSON) and the
  // window it is delivered in. Closing an already closed room is an error.
  virtual Status CloseRoom(int64_t room_key, EpochMs end_ms, std::string_view room_json,
                           EpochMs window_start) = 0;

  // Keeps the time series of peers, replacing any kept before, all in one
  // transaction. The store encodes them compactly. Called for a room's peers
  // before CloseRoom.
  virtual Status StorePeerSeries(const std::vector<PeerSeriesEntry>& entries) = 0;

  // The time series of peer `peer_id` in the latest closed session of the
  // project's room `room_id` that has that peer (of its latest SDK session
  // there, after a page reload). NotFound when no closed session has the peer.
  virtual Status FindPeerSeries(std::string_view project, std::string_view room_id,
                                std::string_view peer_id, FoundPeerSeries* found) = 0;

  // Every room session not yet closed, with its peers (used after a restart).
  virtual Status ListOpenRooms(std::vector<OpenRoom>* rooms) = 0;

  // The structs of the project's rooms assigned to the window starting at window_start,
  // ordered by end time.
  virtual Status RoomsInWindow(std::string_view project, EpochMs window_start,
                               std::vector<std::string>* room_jsons) = 0;

  // Where a paged read of a window's rooms stands (keyset pagination).
  struct WindowCursor {
    int64_t end_ms = INT64_MIN;
    int64_t room_key = INT64_MIN;
    bool done = false;
  };

  // Reads the next page (at most `limit` rooms) of a window's structs, in the order
  // of RoomsInWindow, and advances the cursor. Paging keeps memory bounded and lets
  // other writers in between pages.
  virtual Status RoomsInWindowPage(std::string_view project, EpochMs window_start, size_t limit,
                                   WindowCursor* cursor, std::vector<std::string>* room_jsons) = 0;

  // The structs of rooms whose end time is in [from, to), ordered by end time; all
  // projects when project is empty.
  virtual Status RoomsEndedBetween(std::string_view project, EpochMs from, EpochMs to,
                                   std::vector<std::string>* room_jsons) = 0;

  // The structs of every closed session of a room id of the project, oldest first.
  virtual Status RoomSessions(std::string_view project, std::string_view room_id,
                              std::vector<std::string>* room_jsons) = 0;

  // Finds the most recent peer of SDK session `session_id` in a closed room
  // session of `project`; *peer_key is 0 when there is none.
  virtual Status LastClosedPeerOfSession(std::string_view project, std::string_view session_id,
                                         int64_t* peer_key) = 0;

  // Seals a window (idempotent): it becomes pending delivery, and rooms closing
  // later are assigned to a later window.
  virtual Status SealWindow(std::string_view project, EpochMs window_start, EpochMs window_end) = 0;

  // The end of the project's latest sealed window, or nullopt if none.
  virtual Status LastSealedWindowEnd(std::string_view project,
                                     std::optional<EpochMs>* window_end) = 0;

  // The sealed, not yet delivered windows, oldest first; all projects when project is empty.
  virtual Status PendingWindows(std::string_view project, std::vector<StreamWindow>* windows) = 0;

  // Counts a failed delivery attempt and remembers its reason.
  virtual Status RecordWindowFailure(std::string_view project, EpochMs window_start,
                                     std::string_view error) = 0;

  // Records a delivery (location, etag, room_count, size_bytes, sha256_hex of `window`).
  virtual Status MarkWindowDelivered(const StreamWindow& window) = 0;

  // The project's latest windows, newest first, at most `limit`.
  virtual Status RecentWindows(std::string_view project, size_t limit,
                               std::vector<StreamWindow>* windows) = 0;
};

// Opens (creating if needed) the SQLite history at `path`, in WAL mode.
Status OpenSqliteStore(const std::string& path, std::unique_ptr<HistoryStore>* store);

// Whether OpenHistory may create a history that does not exist yet.
enum class HistoryOpenMode {
  kCreate,    // the collector and the importer: start a history when there is none
  kExisting,  // commands that only read it: a missing history is NotFound
};

// Opens the history of the data directory `data_dir`: the one place that picks
// the backend, so that the commands and the collector do not name it. Today that
// is the embedded SQLite file `<data_dir>/history.sqlite`.
Status OpenHistory(const std::string& data_dir, HistoryOpenMode mode,
                   std::unique_ptr<HistoryStore>* store);

}  // namespace rtcstream
