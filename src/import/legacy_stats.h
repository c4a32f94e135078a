// Recognising legacy getStats: Chrome's pre-standard, callback-based stats
// (report types "ssrc", "googCandidatePair", "VideoBwe", ... with goog* fields).
// Their counters mean other things than the standard ones, so rtcstream does
// not import them.
#pragma once

#include <optional>
#include <string_view>

namespace rtcstream {

// True for a report type of legacy getStats: "ssrc", "VideoBwe",
// "localcandidate", "remotecandidate" and every "goog*" type.
bool IsLegacyStatsType(std::string_view type);

// Scans JSON text for a `"type": "<legacy type>"` member and returns the first
// legacy type found. A lexical scan (no parse): quotes escaped inside strings
// are not mistaken for members.
std::optional<std::string_view> FindLegacyStatsType(std::string_view json);

}  // namespace rtcstream
