#include "sinks/s3_sink.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "common/log.h"
#include "sinks/object_name.h"
#include "sinks/s3_backoff.h"
#include "sinks/s3_http.h"
#include "sinks/s3_status.h"
#include "sinks/s3_xml.h"

namespace rtcstream {

namespace {

constexpr size_t kMinPartSize = size_t{5} << 20;
constexpr size_t kMaxPartSize = size_t{5} << 30;
constexpr size_t kMaxSinglePut = size_t{5} << 30;
constexpr size_t kMaxParts = 10000;
constexpr size_t kMaxKeyBytes = 1024;

// The same code with another message.
Status WithMessage(const Status& s, std::string message) {
  switch (s.code()) {
    case Status::Code::kOk:
      return Status::OK();
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(std::move(message));
    case Status::Code::kResourceExhausted:
      return Status::ResourceExhausted(std::move(message));
    case Status::Code::kIOError:
      return Status::IOError(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Status::Code::kUnavailable:
      return Status::Unavailable(std::move(message));
    case Status::Code::kInternal:
      return Status::Internal(std::move(message));
  }
  return Status::Internal(std::move(message));
}

void ReplaceAll(std::string* text, const std::string& what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = text->find(what); pos != std::string::npos;
       pos = text->find(what, pos + with.size())) {
    text->replace(pos, what.size(), with);
  }
}

bool ValidBucketName(const std::string& bucket) {
  if (bucket.empty() || bucket.size() > 255) return false;
  return std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

bool ValidRegion(const std::string& region) {
  return !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "http(s)://host[:port]" with an optional trailing '/', nothing else.
Status NormaliseEndpoint(std::string* endpoint) {
  while (!endpoint->empty() && endpoint->back() == '/') endpoint->pop_back();
  if (endpoint->empty()) return Status::OK();
  const bool scheme = endpoint->rfind("http://", 0) == 0 || endpoint->rfind("https://", 0) == 0;
  const size_t host = endpoint->find("://") + 3;
  if (!scheme || endpoint->size() == host ||
      endpoint->find_first_of("/?#@ ", host) != std::string::npos) {
    return Status::InvalidArgument("S3 sink: endpoint \"" + *endpoint +
                                   "\" must be http(s)://host[:port]");
  }
  return Status::OK();
}

}  // namespace

Status S3Sink::Create(const S3Settings& settings, std::unique_ptr<S3Sink>* sink) {
  S3Settings s = settings;
  auto bad = [](const std::string& why) { return Status::InvalidArgument("S3 sink: " + why); };
  if (!ValidBucketName(s.bucket)) return bad("invalid bucket name \"" + s.bucket + "\"");
  if (!ValidRegion(s.region)) return bad("invalid region \"" + s.region + "\"");
  Status st = NormaliseEndpoint(&s.endpoint);
  if (!st.ok()) return st;
  if (s.access_key_id.empty()) return bad("access_key_id is empty");
  if (s.secret_access_key.empty()) return bad("secret_access_key is empty");
  if (s.part_size < kMinPartSize || s.part_size > kMaxPartSize) {
    return bad("part_size must be between 5 MiB and 5 GiB");
  }
  if (s.multipart_threshold > kMaxSinglePut) {
    return bad("multipart_threshold must be at most 5 GiB, S3's limit for one PutObject");
  }
  if (s.max_attempts < 1) return bad("max_attempts must be at least 1");
  if (s.base_backoff_ms < 0 || s.max_backoff_ms < s.base_backoff_ms) {
    return bad("backoffs must satisfy 0 <= base_backoff_ms <= max_backoff_ms");
  }
  if (s.timeout_ms <= 0) return bad("timeout_ms must be positive");

  S3HttpOptions options;
  options.region = s.region;
  options.access_key_id = s.access_key_id;
  options.secret_access_key = s.secret_access_key;
  options.session_token = s.session_token;
  options.timeout_ms = s.timeout_ms;
  std::unique_ptr<S3Http> http;
  st = S3Http::Create(options, &http);
  if (!st.ok()) return st;
  sink->reset(new S3Sink(std::move(s), std::move(http)));
  return Status::OK();
}

S3Sink::S3Sink(S3Settings settings, std::unique_ptr<S3Http> http)
    : settings_(std::move(settings)),
      where_{settings_.endpoint, settings_.region, settings_.bucket},
      http_(std::move(http)),
      rng_(std::random_device{}()) {}

S3Sink::~S3Sink() = default;

std::string S3Sink::BucketUri() const { return "s3://" + settings_.bucket + "/"; }

std::string S3Sink::Target(std::string_view key) const { return BucketUri() + std::string(key); }

std::string S3Sink::Url(std::string_view key, const std::vector<S3QueryParam>& query) const {
  return S3ObjectUrl(where_, key, S3CanonicalQuery(query));
}

Status S3Sink::Redact(const Status& s) const {
  if (s.ok()) return s;
  std::string message = s.message();
  ReplaceAll(&message, settings_.secret_access_key, "<redacted>");
  ReplaceAll(&message, settings_.session_token, "<redacted>");
  return WithMessage(s, std::move(message));
}

Status S3Sink::CheckKey(std::string_view key) const {
  Status s = ValidateObjectName(key);
  if (!s.ok()) return s;
  if (key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument("S3 key of " + std::to_string(key.size()) +
                                   " bytes; S3 allows 1024");
  }
  return Status::OK();
}

Status S3Sink::Send(const S3HttpRequest& request, const std::string& operation,
                    S3HttpResponse* response) {
  S3RequestLabel label;
  label.operation = operation;
  label.endpoint = S3EndpointForDisplay(where_);
  label.bucket = settings_.bucket;
  label.region = settings_.region;
  label.access_key_id = settings_.access_key_id;
  label.timeout_ms = settings_.timeout_ms;
  Status s;
  for (int attempt = 1;; ++attempt) {
    http_->Perform(request, response);
    // S3 may answer CompleteMultipartUpload with 200 and then an <Error>
    // document when it fails after it started to answer: an error all the same.
    S3ErrorXml error;
    if (response->curl_code == 0 && response->http_status / 100 == 2 && request.method == "POST" &&
        ParseS3ErrorXml(response->body, &error)) {
      response->http_status = 500;
    }
    s = Redact(S3ResponseStatus(label, *response));
    if (s.ok() || !S3ShouldRetry(*response)) break;
    if (!settings_.retry_dns_and_tls_failures && S3IsDnsOrTlsFailure(*response)) break;
    if (attempt >= settings_.max_attempts) {
      if (attempt > 1) {
        s = WithMessage(s,
                        s.message() + " (gave up after " + std::to_string(attempt) + " attempts)");
      }
      break;
    }
    const int64_t delay =
        FullJitterBackoffMs(attempt, settings_.base_backoff_ms, settings_.max_backoff_ms, &rng_);
    const std::string attempt_text = std::to_string(attempt);
    const std::string delay_text = std::to_string(delay);
    LogWarn("S3 request failed; retrying",
            {{"attempt", attempt_text}, {"delay_ms", delay_text}, {"error", s.message()}});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  return s;
}

Status S3Sink::Put(std::string_view key, std::string_view body, std::string_view content_type,
                   PutResult* result) {
  Status s = CheckKey(key);
  if (!s.ok()) return s;
  // Without a type curl would label the body a form (application/x-www-form-urlencoded).
  if (content_type.empty()) content_type = "application/octet-stream";
  std::lock_guard<std::mutex> lock(mu_);
  std::string etag;
  s = body.size() > settings_.multipart_threshold ? PutMultipart(key, body, content_type, &etag)
                                                  : PutSingle(key, body, content_type, &etag);
  if (!s.ok()) return s;
  result->location = Target(key);
  result->etag = std::move(etag);
  return Status::OK();
}

Status S3Sink::PutSingle(std::string_view key, std::string_view body, std::string_view content_type,
                         std::string* etag) {
  S3HttpRequest request;
  request.method = "PUT";
  request.url = Url(key, {});
  request.body = body;
  request.content_type = std::string(content_type);
  S3HttpResponse response;
  Status s = Send(request, "S3 PUT " + Target(key), &response);
  if (s.ok()) *etag = response.etag;
  return s;
}

Status S3Sink::PutMultipart(std::string_view key, std::string_view body,
                            std::string_view content_type, std::string* etag) {
  const std::string target = Target(key);
  S3HttpResponse response;

  S3HttpRequest create;
  create.method = "POST";
  create.url = Url(key, {{"uploads", ""}});
  create.content_type = std::string(content_type);
  Status s = Send(create, "S3 CreateMultipartUpload " + target, &response);
  if (!s.ok()) return s;
  std::string upload_id;
  if (!S3XmlField(response.body, "InitiateMultipartUploadResult", "UploadId", &upload_id) ||
      upload_id.empty()) {
    return Status::Internal("S3 CreateMultipartUpload " + target +
                            ": the answer holds no UploadId");
  }

  // S3 allows 10000 parts: larger bodies get larger parts.
  const size_t part_size = std::max(settings_.part_size, (body.size() + kMaxParts - 1) / kMaxParts);
  const size_t part_count = (body.size() + part_size - 1) / part_size;
  std::vector<S3CompletedPart> parts;
  for (size_t i = 0; i < part_count && s.ok(); ++i) {
    const int number = static_cast<int>(i + 1);
    S3HttpRequest upload;
    upload.method = "PUT";
    upload.url = Url(key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}});
    upload.body = body.substr(i * part_size, part_size);
    upload.content_type = "application/octet-stream";
    s = Send(upload,
             "S3 PUT " + target + " (UploadPart " + std::to_string(number) + " of " +
                 std::to_string(part_count) + ")",
             &response);
    if (s.ok() && response.etag.empty()) {
      s = Status::Internal("S3 UploadPart " + std::to_string(number) + " of " + target +
                           ": the answer holds no ETag");
    }
    if (s.ok()) parts.push_back({number, response.etag});
  }

  if (s.ok()) {
    const std::string xml = CompleteMultipartUploadXml(parts);
    S3HttpRequest complete;
    complete.method = "POST";
    complete.url = Url(key, {{"uploadId", upload_id}});
    complete.body = xml;
    complete.content_type = "application/xml";
    s = Send(complete, "S3 CompleteMultipartUpload " + target, &response);
    if (s.ok()) {
      std::string final_etag;
      S3XmlField(response.body, "CompleteMultipartUploadResult", "ETag", &final_etag);
      *etag = final_etag;
      return s;
    }
  }

  // Parts of an upload that is neither completed nor aborted are stored, and
  // billed, until a lifecycle rule removes them.
  S3HttpRequest abort;
  abort.method = "DELETE";
  abort.url = Url(key, {{"uploadId", upload_id}});
  const Status aborted = Send(abort, "S3 AbortMultipartUpload " + target, &response);
  if (!aborted.ok()) {
    return WithMessage(
        s, s.message() + "; the upload could not be aborted either, its parts " +
               "stay in the bucket until a lifecycle rule removes them: " + aborted.message());
  }
  return s;
}

Status S3Sink::Delete(std::string_view key) {
  Status s = CheckKey(key);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  S3HttpRequest request;
  request.method = "DELETE";
  request.url = Url(key, {});
  S3HttpResponse response;
  return Send(request, "S3 DELETE " + Target(key), &response);
}

Status S3Sink::Probe(std::string_view key_prefix, std::string* report) {
  std::string key = std::string(key_prefix) + ".rtcstream-probe-";
  {
    std::lock_guard<std::mutex> lock(mu_);
    static const char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) key.push_back(kHex[rng_() & 0xF]);
  }
  const std::string target = Target(key);
  const std::string body = "{\"probe\":\"rtcstream\",\"key\":\"" + key + "\"}\n";
  *report = "S3 sink probe of " + BucketUri() + " at " + S3EndpointForDisplay(where_) +
            " (region " + settings_.region + ", access key id " + settings_.access_key_id + ")\n";

  auto elapsed_since = [](std::chrono::steady_clock::time_point start) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count());
  };
  auto fail = [&](int step, const char* what, const Status& s) {
    *report +=
        std::to_string(step) + ". " + what + " " + target + ": FAILED: " + s.ToString() + "\n";
    *report += std::string("Probe failed at step ") + std::to_string(step) + " of 2 (" + what +
               ")" +
               (step == 1 ? ": the sink cannot write to this bucket.\n"
                          : ": writing works, but the probe object could not be removed.\n");
    return WithMessage(s, "S3 sink probe failed at step " + std::to_string(step) + " (" + what +
                              "): " + s.message());
  };

  auto start = std::chrono::steady_clock::now();
  PutResult result;
  Status s = Put(key, body, "application/json", &result);
  if (!s.ok()) return fail(1, "PUT", s);
  *report += "1. PUT " + target + " (" + std::to_string(body.size()) + " bytes): ok in " +
             elapsed_since(start) + " ms, ETag " + result.etag + "\n";

  start = std::chrono::steady_clock::now();
  s = Delete(key);
  if (!s.ok()) return fail(2, "DELETE", s);
  *report += "2. DELETE " + target + ": ok in " + elapsed_since(start) + " ms\n";
  *report += "Probe passed: the sink can write to " + BucketUri() + "\n";
  return Status::OK();
}

}  // namespace rtcstream
