// Fuzzes one SDK text frame from the wire to the figures: DecodeFrame (plain
// JSON tuple or LZString), then the session's tuple decoding (PeerState), the
// peer's record, and a replay of the raw trace it kept.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "rooms/peer_state.h"
#include "wire/frame.h"

namespace {

constexpr std::string_view kUserAgent =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/156.0.0.0 Safari/537.36";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtcstream;
  FrameLimits limits;
  limits.max_frame_bytes = 256 << 10;
  limits.max_decompressed_bytes = 1 << 20;
  DecodedFrame frame;
  if (!DecodeFrame(std::string_view(reinterpret_cast<const char*>(data), size), limits, &frame)
           .ok()) {
    return 0;
  }
  PeerState peer("fuzz-session", std::string(kUserAgent));
  FrameDecodeResult result;
  peer.FeedFrameJson(frame.json, &result);
  CheckRecord(peer.ToRecord());

  // The raw trace is what the history stores and replays after a restart:
  // one valid JSON tuple per line.
  const std::string trace = peer.TakePendingTrace();
  PeerState replay("fuzz-session", std::string(kUserAgent));
  simdjson::dom::parser parser;
  size_t begin = 0;
  while (begin < trace.size()) {
    const size_t end = trace.find('\n', begin);
    if (end == std::string::npos) __builtin_trap();
    const std::string_view line = std::string_view(trace).substr(begin, end - begin);
    simdjson::dom::element tuple;
    if (parser.parse(line.data(), line.size()).get(tuple) != simdjson::SUCCESS) __builtin_trap();
    replay.FeedTupleJson(line);
    begin = end + 1;
  }
  CheckRecord(replay.ToRecord());
  return 0;
}
