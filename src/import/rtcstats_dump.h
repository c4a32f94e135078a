// The dump format of jitsi's rtcstats-server: one JSON array per line.
//
//   ["connectionInfo", null, {path, origin, url, userAgent, clientProtocol, ...}, ts]
//   [method, pcId|null, payload, timestampMs(, seq)]
//
// The first line is written by the server (older servers wrote the payload as a
// JSON string); the others are the page's RTCPeerConnection calls, events and
// getStats results. Its getstats entries are deltas in which a report left out
// was removed (docs/import.md). Method names are those of the watchRTC SDK.
#pragma once

#include <string_view>

#include "common/status.h"
#include "import/imported_trace.h"

namespace rtcstream {

// Parses an rtcstats dump. The tuples are the dump's lines, except that the
// connectionInfo line loses its timestamp (the server's clock, and in some
// dumps copied from another capture) and its payload is always an object.
// Room id: the `identity` entries' confName, else the last segment of their
// confID, else of the header's url or path. Peer id: the `identity` entries'
// displayName, else endpointId, else userId. User agent: the header's.
// Refuses legacy getStats (InvalidArgument naming the report type and line).
Status ParseRtcstatsDump(std::string_view content, ImportedTrace* trace);

}  // namespace rtcstream
