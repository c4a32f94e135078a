// Turns the outcome of one S3 request into a Status with a precise message,
// and decides whether it is worth retrying.
//
// Codes: Unavailable for what may pass (5xx, 408, 429, SlowDown, timeouts,
// connection and DNS failures) and for TLS failures; PermissionDenied for 403
// and for invalid or expired session tokens; NotFound for 404 (NoSuchBucket
// says "bucket ... does not exist"); InvalidArgument for the other 4xx and 3xx
// (a wrong region or endpoint). Messages never contain credentials.
#pragma once

#include <string>

#include "common/status.h"
#include "sinks/s3_http.h"

namespace rtcstream {

// What a request was for, to name it in messages.
struct S3RequestLabel {
  std::string operation;  // e.g. "S3 PUT s3://bucket/key" or "... (UploadPart 2 of 3)"
  std::string endpoint;   // where requests go, e.g. "http://127.0.0.1:9000"
  std::string bucket;
  std::string region;         // the configured one
  std::string access_key_id;  // not secret; helps to tell keys apart
  int64_t timeout_ms = 0;
};

// OK for a 2xx answer; otherwise the error, as "<operation>: <what happened>".
Status S3ResponseStatus(const S3RequestLabel& label, const S3HttpResponse& response);

// True when the same request may succeed if sent again.
bool S3ShouldRetry(const S3HttpResponse& response);

// True when the request failed because the endpoint's host name did not
// resolve or TLS could not be set up with it: mostly a wrong endpoint, region or
// CA setup, which a retry seconds later rarely cures.
bool S3IsDnsOrTlsFailure(const S3HttpResponse& response);

}  // namespace rtcstream
