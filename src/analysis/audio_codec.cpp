#include "analysis/audio_codec.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace rtcstream {

namespace {

// Values and sources: see docs/metrics.md, "MOS codec table".
constexpr CodecImpairment kOpus{"opus", 0, 25.1};
constexpr CodecImpairment kOpusFec{"opus+fec", 0, 30};
constexpr CodecImpairment kG711{"g711", 0, 25.1};
constexpr CodecImpairment kG711NoPlc{"g711-noplc", 0, 4.3};
constexpr CodecImpairment kG722{"g722", 0, 25.1};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
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
  const std::string mime = Lower(mime_type);
  if (mime == "audio/pcmu" || mime == "audio/pcma") return AudioCodec::kG711;
  if (mime == "audio/g722") return AudioCodec::kG722;
  // RED (RFC 2198) carries Opus with redundant copies of earlier frames: as
  // robust as in-band FEC or more.
  if (mime == "audio/red") return AudioCodec::kOpusFec;
  if (Lower(fmtp_line).find("useinbandfec=1") != std::string::npos) return AudioCodec::kOpusFec;
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
