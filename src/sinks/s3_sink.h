// S3Sink: data stream files in an S3 bucket (or an S3-compatible store): the
// customer's own bucket, written with the customer's keys.
//
// Bodies up to multipart_threshold go in one PutObject; larger ones as a
// multipart upload in parts of part_size, each signed with its own SHA-256, and
// aborted if any step fails. Either way readers only ever see whole objects.
// Every request is signed with SigV4 (by libcurl) and, when the failure may
// pass (5xx, 503 SlowDown, 408, 429, 400 RequestTimeout, timeouts, connection
// and DNS errors), retried up to max_attempts times with exponential backoff and full jitter;
// other failures return at once with S3's error code and message. The secret
// key and the session token never appear in a Status, a log line or a report.
// Thread-safe: concurrent calls are served one request at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sinks/s3_url.h"
#include "sinks/sink.h"

namespace rtcstream {

class S3Http;
struct S3HttpRequest;
struct S3HttpResponse;

// Settings of one S3 bucket.
struct S3Settings {
  std::string bucket;
  std::string region = "us-east-1";
  // Empty: AWS, https://<bucket>.s3.<region>.amazonaws.com/<key> (virtual-hosted).
  // Set ("http(s)://host[:port]"): an S3-compatible store, <endpoint>/<bucket>/<key>.
  std::string endpoint;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;              // optional: sent as x-amz-security-token
  size_t multipart_threshold = 16 << 20;  // bodies above this go as multipart uploads
  size_t part_size = 8 << 20;             // >= 5 MiB (S3's minimum for all parts but the last)
  int max_attempts = 6;                   // per request, the first one included
  int64_t base_backoff_ms = 200;          // the delay cap after the first failed attempt
  int64_t max_backoff_ms = 20000;         // the largest delay cap
  int64_t timeout_ms = 60000;             // per attempt (connecting: at most 10 s of it)
  // False: a DNS or TLS failure is returned at once instead of retried, for a
  // check that a person waits for (`rtcstream streams test`).
  bool retry_dns_and_tls_failures = true;
};

class S3Sink final : public Sink {
 public:
  // Checks `settings` (InvalidArgument, naming the bad field) and creates a
  // sink. Sends nothing: Probe() checks that the bucket can be written.
  static Status Create(const S3Settings& settings, std::unique_ptr<S3Sink>* sink);

  ~S3Sink() override;
  S3Sink(const S3Sink&) = delete;
  S3Sink& operator=(const S3Sink&) = delete;

  // Uploads `body` as object `key` with Content-Type `content_type` (empty:
  // application/octet-stream), replacing any object of that key. `key` follows ValidateObjectName
  // and has at most 1024 bytes. result->location is "s3://<bucket>/<key>"; result->etag is the ETag
  // S3 gave, quotes included: the hex MD5 of the body for one PutObject; for a multipart upload
  // S3's is the MD5 of the parts' MD5s and "-<parts>".
  Status Put(std::string_view key, std::string_view body, std::string_view content_type,
             PutResult* result) override;

  // Deletes object `key`. OK when there was no such object (S3 does not tell).
  Status Delete(std::string_view key);

  // Writes a small object ".rtcstream-probe-<random>" at the top of the bucket
  // and deletes it again. *report tells each step, its outcome and duration,
  // and on failure exactly which step failed and why; the Status is that
  // step's error.
  Status Probe(std::string_view key_prefix, std::string* report) override;

  // "s3://<bucket>/", for messages.
  std::string BucketUri() const;

 private:
  S3Sink(S3Settings settings, std::unique_ptr<S3Http> http);

  // Sends `request` until it succeeds, fails for good, or max_attempts is
  // reached. `operation` names it in messages ("S3 PUT s3://b/k").
  Status Send(const S3HttpRequest& request, const std::string& operation, S3HttpResponse* response);
  Status PutSingle(std::string_view key, std::string_view body, std::string_view content_type,
                   std::string* etag);
  Status PutMultipart(std::string_view key, std::string_view body, std::string_view content_type,
                      std::string* etag);
  Status CheckKey(std::string_view key) const;
  std::string Url(std::string_view key, const std::vector<S3QueryParam>& query) const;
  std::string Target(std::string_view key) const;
  // Removes the secret and the session token from a message, should one ever
  // get there (a second line of defence: none is ever put in one).
  Status Redact(const Status& s) const;

  const S3Settings settings_;
  const S3Location where_;
  std::mutex mu_;
  std::unique_ptr<S3Http> http_;  // guarded by mu_
  std::mt19937_64 rng_;           // guarded by mu_
};

}  // namespace rtcstream
