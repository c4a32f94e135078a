// ImportedPeer: a peer read from a dump file, decoded and analysed exactly like
// a live SDK session (PeerState), and the grouping of such peers into rooms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/peer_series.h"
#include "common/status.h"
#include "import/imported_trace.h"
#include "rooms/room_record.h"

namespace rtcstream {

// One dump file, analysed: what the history stores for its peer.
struct ImportedPeer {
  std::string file;        // the path it was read from
  std::string format;      // "rtcstats" or "webrtc-internals"
  std::string room_id;     // --room, else what the dump names, else the file's stem
  std::string session_id;  // "import:<file stem>"
  std::string user_agent;  // the dump's, for the history
  PeerRecord record;       // the data stream figures
  PeerSeries series;       // its time series (PeerState::Series)
  // The raw trace as the history keeps it: newline-terminated tuples, opened by
  // a kImportTuple that names the getstats delta semantics.
  std::string trace;
  size_t tuples = 0;            // accepted
  size_t rejected = 0;          // tuples the session stage could not decode
  std::string first_rejection;  // why the first one was rejected
};

// Decodes and analyses `trace` (read from `file`) as one peer. `room_id`
// overrides the dump's room when not empty. The peer id is the dump's, else
// the file's stem. Fails when no tuple could be decoded or none has a time.
Status AnalyzeImportedTrace(const ImportedTrace& trace, std::string_view file,
                            std::string_view room_id, ImportedPeer* out);

// A room session made of imported peers.
struct ImportedRoom {
  RoomRecord record;               // project not set
  std::vector<size_t> peer_index;  // into the grouped vector, parallel to record.peers
};

// Groups peers into room sessions, oldest first: peers of one room id whose
// activity overlaps, or leaves a gap of at most `gap_ms` (the live collector's
// room close grace), form one session.
std::vector<ImportedRoom> GroupImportedPeers(const std::vector<ImportedPeer>& peers,
                                             int64_t gap_ms);

}  // namespace rtcstream
