// ImportedTrace: a recorded dump turned into the tuples the session stage
// decodes, with what the dump says about its peer.
//
// The import stage (this folder) only reads file formats. It emits tuples in
// the watchRTC SDK's form, [name, pcId|null, data, timestamp], one per line,
// so that decoding, analysis and storage are those of live peers.
#pragma once

#include <cstddef>
#include <string>

namespace rtcstream {

// The dump formats rtcstream reads.
enum class DumpFormat {
  kRtcstats,         // jitsi rtcstats-server dump: one JSON array per line
  kWebrtcInternals,  // chrome://webrtc-internals "Create Dump" file: one JSON object
};

// "rtcstats" or "webrtc-internals".
const char* DumpFormatName(DumpFormat format);

// What the import stage makes of one dump file.
struct ImportedTrace {
  DumpFormat format = DumpFormat::kRtcstats;
  // True when the getstats tuples are rtcstats deltas: a report missing from a
  // delta was removed. False: full reports, or SDK deltas (missing = unchanged).
  bool missing_report_removed = false;
  // What the dump says about the room and the peer; empty when it says nothing.
  std::string room_id;
  std::string peer_id;
  std::string user_agent;
  // Newline-terminated JSON tuples, oldest first.
  std::string tuples;
  size_t tuple_count = 0;
  size_t getstats_count = 0;
};

}  // namespace rtcstream
