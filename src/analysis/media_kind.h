// Which media kind and direction a getStats report describes.
//
// Browsers disagree on where the kind lives: current ones set `kind`, older
// Chrome and Firefox set `mediaType`, and a remote-inbound-rtp report may carry
// neither and only point at the local outbound-rtp report through `localId`.
#pragma once

#include <optional>

#include "session/stats_snapshot.h"

namespace rtcstream {

// The media kinds analysis reports on.
enum class MediaKind { kAudio = 0, kVideo = 1 };

// Send = what the peer sends; recv = what it receives.
enum class Direction { kSend = 0, kRecv = 1 };

// Returns the media kind of an RTP report, or nullopt when it cannot be told.
// `snapshot` is used to follow a remote-inbound-rtp report's `localId`.
std::optional<MediaKind> ReportKind(const StatsSnapshot& snapshot, const StatsReport& report);

}  // namespace rtcstream
