// S3Http: one SigV4-signed HTTP exchange with S3, made by libcurl.
//
// libcurl signs (CURLOPT_AWS_SIGV4); this class adds what libcurl 7.88 leaves
// out: the x-amz-content-sha256 header (the hex SHA-256 of the body, which S3
// requires and which curl then signs), and the session token. URLs must already
// be canonical (see s3_url.h). The connection is kept alive between requests.
// Not thread-safe: one request at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rtcstream {

// Credentials and limits of every request.
struct S3HttpOptions {
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
  int64_t timeout_ms = 60000;
};

// One request.
struct S3HttpRequest {
  std::string method;  // "PUT", "POST", "DELETE", "GET", "HEAD"
  std::string url;     // canonical (s3_url.h)
  std::string_view body;
  std::string content_type;  // empty: no Content-Type header
};

// What came back: an HTTP answer, or a transport error (no answer at all).
struct S3HttpResponse {
  int curl_code = 0;       // CURLcode; 0 when an HTTP answer arrived
  std::string curl_error;  // libcurl's explanation of curl_code
  long http_status = 0;
  std::string body;        // at most the first 1 MiB
  std::string etag;        // the ETag header, quotes included
  std::string request_id;  // the x-amz-request-id header
  int64_t elapsed_ms = 0;
};

class S3Http {
 public:
  // Initialises libcurl (once per process) and a handle.
  static Status Create(const S3HttpOptions& options, std::unique_ptr<S3Http>* http);

  ~S3Http();
  S3Http(const S3Http&) = delete;
  S3Http& operator=(const S3Http&) = delete;

  // Sends `request` and fills *response; never fails otherwise.
  void Perform(const S3HttpRequest& request, S3HttpResponse* response);

 private:
  S3Http(S3HttpOptions options, void* curl);

  const S3HttpOptions options_;
  const std::string sigv4_;  // "aws:amz:<region>:s3"
  void* const curl_;         // CURL*, kept out of this header
};

// The lower-case hex SHA-256 of `data`.
std::string HexSha256(std::string_view data);

}  // namespace rtcstream
