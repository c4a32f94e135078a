// One WebSocket text frame from the watchRTC SDK, turned into JSON text.
//
// The SDK sends two kinds of text frames: signalling messages as plain JSON
// tuples, and everything else batched and LZString-compressed (see
// shared/spec/sdk-wire-protocol.md). This stage only undoes the transport
// encoding and enforces size limits; the JSON is validated by the next stage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

// Size limits for one frame, guarding against oversized and bomb frames.
struct FrameLimits {
  // Largest text frame accepted, before decompression.
  size_t max_frame_bytes = 1 << 20;
  // Largest JSON text a compressed frame may expand to.
  size_t max_decompressed_bytes = 16 << 20;
};

// How a frame was encoded on the wire.
enum class FrameKind {
  kSignalling,  // one plain JSON tuple
  kCompressed,  // LZString of a JSON array of tuples, or of a single tuple
};

// A decoded frame: its kind and its JSON text (not yet validated).
struct DecodedFrame {
  FrameKind kind = FrameKind::kSignalling;
  std::string json;
};

// Decodes one SDK text frame: signalling frames are plain JSON tuples (start
// with '[' after optional whitespace), everything else is LZString
// compressToEncodedURIComponent of a JSON array of tuples (or of a single
// tuple). A frame larger than limits.max_frame_bytes, or one that expands past
// limits.max_decompressed_bytes, is ResourceExhausted; a frame that is empty
// or not valid LZString is InvalidArgument.
Status DecodeFrame(std::string_view text, const FrameLimits& limits, DecodedFrame* out);

}  // namespace rtcstream
