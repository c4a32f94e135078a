// Command-line options of rtcstream_loadgen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace rtcstream {

// How a simulated peer paces its frames.
enum class PaceMode {
  kReplay,  // the recording's own timing, divided by `speedup`
  kLoop,    // as fast as the socket takes them
};

struct LoadOptions {
  std::string host = "127.0.0.1";  // loopback only
  uint16_t port = 0;
  std::string api_key = "bench-key";
  std::string recording;  // a JSONL file; default: the two-peer-call fixture
  int peers = 1000;
  double duration_s = 60;
  PaceMode mode = PaceMode::kReplay;
  double speedup = 1;
  int room_size = 0;          // 0: as many peers as the recording has connections
  double connect_rate = 500;  // new peers per second
  int threads = 1;
  // Loop mode: at most this many frames per peer the server has not yet read.
  // A WebSocket ping follows every window/2 frames; the server answers it only
  // after reading every frame before it, so the pong acknowledges them.
  int window = 64;
  // The sustained rates are measured from this long after the first frames
  // may go out (and every peer connected) until the stop time.
  double warmup_s = 5;
  double drain_timeout_s = 30;  // how long the closing handshakes may take at the end
  double progress_s = 5;        // progress line on stderr every so often (0: never)
};

// Parses argv (without the program name). --help is an InvalidArgument whose
// message is the usage text.
Status ParseLoadOptions(const std::vector<std::string>& args, LoadOptions* out);

// The usage text.
const char* LoadUsage();

}  // namespace rtcstream
