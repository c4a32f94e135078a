// The dump chrome://webrtc-internals writes with "Create a WebRTC-Internals dump"
// (plain JSON, or gzip with "Compress result"):
//
//   {"getUserMedia": [{request_type, timestamp, audio_track_info, ...}, ...],
//    "PeerConnections": {"<pid>-<lid>": {"url", "rtcConfiguration", "updateLog":
//        [{"type", "value", "timestamp"}], "stats": {"<report id>-<stat>":
//        {"statsType", "startTime", "endTime", "values": "[...]"}}}},
//    "UserAgent": "..."}
//
// Chromium before about version 120 wrote each update's "time" as a local
// time string (toLocaleString()) instead of "timestamp".
#pragma once

#include <string_view>

#include "common/status.h"
#include "import/imported_trace.h"

namespace rtcstream {

// Parses a webrtc-internals dump into SDK tuples, oldest first: one full
// getstats tuple per stats poll of each peer connection (BuildStatsSamples),
// its update log as events (setLocalDescription, onconnectionstatechange,
// oniceconnectionstatechange, close, ... under the SDK's names) and the
// getUserMedia results as navigator.mediaDevices.getUserMediaOnSuccess. The
// peer connection ids are the dump's ("<pid>-<lid>"). Room id: the last path
// segment of the first peer connection's page URL. Peer id: none (the dump
// does not name the user). Refuses legacy getStats.
Status ParseWebrtcInternalsDump(std::string_view content, ImportedTrace* trace);

}  // namespace rtcstream
