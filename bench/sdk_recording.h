// Recorded watchRTC SDK traffic (tests/fixtures/sdk-recordings/) as the
// benchmarks and the load generator use it: per WebSocket connection, the
// upgrade URL and the text frames in the order the SDK sent them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rtcstream {

// One text frame as the SDK sent it, with the recording server's clock.
struct RecordedFrame {
  int64_t t_ms = 0;
  std::string text;
};

// One WebSocket connection of a recording.
struct RecordedConnection {
  int64_t conn = 0;  // the recording's connection number
  int64_t open_ms = 0;
  std::string url;  // "/?apiKey=..&timestamp=..&apiVersion=v1&sessionId=..&newConnection=.."
  std::string user_agent;
  std::vector<RecordedFrame> frames;
};

// Where a frame is: connections[connection].frames[frame].
struct FrameRef {
  size_t connection = 0;
  size_t frame = 0;
};

// A whole recording: its connections in order of arrival and every frame in
// the order the server received them. HTTP requests, replies and close events
// are not kept.
struct Recording {
  std::string name;
  std::vector<RecordedConnection> connections;
  std::vector<FrameRef> order;
};

// What one frame holds, found by decoding it once.
struct FrameCounts {
  size_t tuples = 0;
  size_t getstats = 0;    // tuples named "getstats"
  size_t json_bytes = 0;  // size of the frame's JSON text (after LZString)
  bool only_getstats = false;
  bool full_getstats = false;  // a getstats report carries its "type": not a delta
};

// The path of a recording in tests/fixtures/sdk-recordings/, e.g. "two-peer-call".
std::string RecordingPath(std::string_view name);

// Reads a JSONL recording (format in tests/fixtures/sdk-recordings/README.md).
Status LoadRecording(const std::string& path, Recording* out);

// Decodes `frame` (wire decoding and a JSON parse, no analysis) and counts its tuples.
Status CountFrame(std::string_view frame, FrameCounts* out);

// The frames of a connection that a long call repeats: those carrying only
// getstats deltas. Returns their indices in conn.frames (empty when none).
std::vector<size_t> SteadyStateFrames(const RecordedConnection& conn);

}  // namespace rtcstream
