// Storing imported room sessions in the history, so that they are exported
// and delivered in the project's data stream like rooms of live peers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "rooms/imported_peer.h"
#include "store/history_store.h"

namespace rtcstream {

// Where imported rooms go.
struct ImportTarget {
  std::string project;
  std::string public_url;          // the base of room_url; may be empty
  int64_t stream_interval_ms = 0;  // the project's data stream window
};

// What happened to one room.
struct ImportedRoomResult {
  bool duplicate = false;  // the same session was imported before: nothing stored
  int64_t room_key = 0;
  EpochMs window_start = 0;
};

// The window an imported room is delivered in: the first window that is not
// sealed yet and does not end within a few seconds of `now` (a running
// collector seals a window as soon as it ends), and never one before the
// window of `end_ms`. A room imported today is therefore in a data stream file
// written after the import, whatever the age of the dump.
EpochMs ImportWindow(EpochMs end_ms, EpochMs now, int64_t interval_ms,
                     std::optional<EpochMs> last_sealed_end);

// Stores `room` (made of `peers`) as a closed room session: the room, its peers
// (remote address "import") with their raw traces (traces[i] is peers[i].trace,
// compressed with CompressTraceChunk: on several threads, before), and its struct, assigned to
// ImportWindow(). When the project has no sealed window yet, the window before
// the current one is sealed (empty), so that the collector, which seals from
// the last sealed window on, reaches the imported rooms' window. A session with
// the same room id, start, end and peer ids already in the history is a
// duplicate and is not stored again.
Status StoreImportedRoom(HistoryStore* store, const ImportTarget& target, const ImportedRoom& room,
                         const std::vector<ImportedPeer>& peers,
                         const std::vector<TraceChunk>& traces, EpochMs now,
                         ImportedRoomResult* result);

}  // namespace rtcstream
