// Audio codecs as the E-model sees them: an equipment impairment factor Ie and
// a packet-loss robustness factor Bpl per codec (ITU-T G.107 section 7).
// docs/metrics.md reproduces this table with the source of every value.
#pragma once

#include <optional>
#include <string_view>

#include "session/stats_snapshot.h"

namespace rtcstream {

// The codec variants the table distinguishes.
enum class AudioCodec {
  kOpus,       // Opus without in-band FEC
  kOpusFec,    // Opus with in-band FEC (useinbandfec=1, WebRTC's default) or RED
  kG711,       // PCMU / PCMA; WebRTC's jitter buffer always conceals losses
  kG711NoPlc,  // G.711 without loss concealment: the G.107 default codec
  kG722,
};

// E-model factors of one codec.
struct CodecImpairment {
  std::string_view name;
  double ie;   // equipment impairment factor Ie, narrowband R scale
  double bpl;  // packet-loss robustness factor Bpl
};

// Returns the table row for `codec`.
const CodecImpairment& ImpairmentOf(AudioCodec codec);

// Maps an RTP mime type ("audio/opus") and its SDP fmtp line to a table row.
// Unknown codecs map to Opus, the codec every WebRTC endpoint must support.
AudioCodec AudioCodecFromSdp(std::string_view mime_type, std::string_view fmtp_line);

// The codec of an inbound-rtp or outbound-rtp report, through its `codecId`;
// nullopt when the report names no codec report present in `snapshot`.
std::optional<AudioCodec> AudioCodecOf(const StatsSnapshot& snapshot, const StatsReport& rtp);

}  // namespace rtcstream
