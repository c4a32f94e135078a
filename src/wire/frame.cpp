#include "wire/frame.h"

#include "wire/lzstring.h"

namespace rtcstream {
namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Status DecodeFrame(std::string_view text, const FrameLimits& limits, DecodedFrame* out) {
  out->json.clear();
  if (text.size() > limits.max_frame_bytes) {
    return Status::ResourceExhausted("frame of " + std::to_string(text.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(limits.max_frame_bytes) + " bytes");
  }
  size_t start = 0;
  while (start < text.size() && IsJsonWhitespace(text[start])) ++start;
  if (start == text.size()) return Status::InvalidArgument("empty frame");

  // '[' is not in the LZString alphabet, so it cannot start a compressed
  // frame: the first non-blank character tells the two kinds apart.
  if (text[start] == '[') {
    out->kind = FrameKind::kSignalling;
    out->json.assign(text);
    return Status::OK();
  }
  out->kind = FrameKind::kCompressed;
  // The whole text goes to the decoder: a leading space is a '+' there.
  return DecompressFromEncodedURIComponent(text, limits.max_decompressed_bytes, &out->json);
}

}  // namespace rtcstream
