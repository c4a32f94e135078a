// The body of the SDK's HTTP fallback, POST /trace and POST /error, turned into
// the tuples it carries (see shared/spec/sdk-wire-protocol.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rtcstream {

// A parsed POST /trace or /error body.
struct HttpTraceBody {
  std::string session_id;
  std::string project_id;  // our project id once a socket was accepted, else the API key
  std::string room_id;     // empty when absent
  std::string peer_id;     // empty when absent
  // Each tuple as JSON text, [name, pcId|null, data, timestamp].
  std::vector<std::string> tuples;
};

// Parses `body`, `{sessionId, projectId, rtcRoomId, rtcPeerId, data}`. The SDK
// appends its clock to what it sends, so `data` is one of:
//   [name, pcId, payload, ts]       addKeys, setUserRating (POST /trace);
//   [[name, pcId, payload], ts]     an error it reports (POST /error);
//   [[tuple, tuple, ...], ts]       its unsent buffer of complete tuples (POST /error).
// Each becomes complete tuples; a tuple without a timestamp gets the body's.
Status ParseHttpTraceBody(std::string_view body, HttpTraceBody* out);

}  // namespace rtcstream
