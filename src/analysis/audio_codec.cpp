#include "analysis/audio_codec.h"

#include <algorithm>

namespace rtcstream {

namespace {

// Values and sources: see docs/metrics.md, "MOS codec table".
constexpr CodecImpairment kOpus{"opus", 0, 25.1};
constexpr CodecImpairment kOpusFec{"opus+fec", 0, 30};
constexpr CodecImpairment kG711{"g711", 0, 25.1};
constexpr CodecImpairment kG711NoPlc{"g711-noplc", 0, 4.3};
constexpr CodecImpairment kG722{"g722", 0, 25.1};

// Mime types and fmtp parameters are ASCII tokens: lowering A-Z alone is what
// std::tolower does in the "C" locale, without a call per character.
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether `text` equals `lower`, a lowercase ASCII string, ignoring case. Runs
// for every audio RTP report of every sample, so it builds no string.
bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  return std::equal(text.begin(), text.end(), lower.begin(), lower.end(),
                    [](char a, char b) { return AsciiLower(a) == b; });
}

// Whether `text` contains `lower`, a lowercase ASCII string, ignoring case.
bool ContainsIgnoreCase(std::string_view text, std::string_view lower) {
  return std::search(text.begin(), text.end(), lower.begin(), lower.end(),
                     [](char a, char b) { return AsciiLower(a) == b; }) != text.end();
}

}  // namespace

const CodecImpairment& ImpairmentOf(AudioCodec codec) {
  switch (codec) {
    case AudioCodec::kOpus:
      return kOpus;
    case AudioCodec::kOpusFec:
      return kOpusFec;
    case AudioCodec::kG711:
      return kG711;
    case AudioCodec::kG711NoPlc:
      return kG711NoPlc;
    case AudioCodec::kG722:
      return kG722;
  }
  return kOpus;
}

AudioCodec AudioCodecFromSdp(std::string_view mime_type, std::string_view fmtp_line) {
  if (EqualsIgnoreCase(mime_type, "audio/pcmu") || EqualsIgnoreCase(mime_type, "audio/pcma")) {
    return AudioCodec::kG711;
  }
  if (EqualsIgnoreCase(mime_type, "audio/g722")) return AudioCodec::kG722;
  // RED (RFC 2198) carries Opus with redundant copies of earlier frames: as
  // robust as in-band FEC or more.
  if (EqualsIgnoreCase(mime_type, "audio/red")) return AudioCodec::kOpusFec;
  if (ContainsIgnoreCase(fmtp_line, "useinbandfec=1")) return AudioCodec::kOpusFec;
  return AudioCodec::kOpus;
}

std::optional<AudioCodec> AudioCodecOf(const StatsSnapshot& snapshot, const StatsReport& rtp) {
  const std::optional<std::string_view> codec_id = GetString(rtp, StatField::kCodecId);
  if (!codec_id) return std::nullopt;
  const StatsReport* codec = snapshot.Find(*codec_id);
  if (codec == nullptr) return std::nullopt;
  const std::optional<std::string_view> mime = GetString(*codec, StatField::kMimeType);
  if (!mime) return std::nullopt;
  return AudioCodecFromSdp(*mime, GetString(*codec, StatField::kSdpFmtpLine).value_or(""));
}

}  // namespace rtcstream
