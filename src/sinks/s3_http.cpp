#include "sinks/s3_http.h"

#include <curl/curl.h>
#include <openssl/sha.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <mutex>

namespace rtcstream {

namespace {

constexpr size_t kMaxResponseBody = size_t{1} << 20;
constexpr int64_t kMaxConnectTimeoutMs = 10000;

struct Capture {
  S3HttpResponse* response;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* capture = static_cast<Capture*>(user);
  const size_t n = size * count;
  std::string& body = capture->response->body;
  if (body.size() < kMaxResponseBody)
    body.append(data, std::min(n, kMaxResponseBody - body.size()));
  return n;
}

// Keeps the ETag and x-amz-request-id of the final response (a "100 Continue"
// comes first with some uploads, so a new status line starts afresh).
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* capture = static_cast<Capture*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    capture->response->etag.clear();
    capture->response->request_id.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const std::string name(line.substr(0, colon));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (strcasecmp(name.c_str(), "etag") == 0) {
    capture->response->etag = std::string(value);
  } else if (strcasecmp(name.c_str(), "x-amz-request-id") == 0) {
    capture->response->request_id = std::string(value);
  }
  return n;
}

// Frees a curl_slist on every path out of Perform.
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void Add(const std::string& line) {
    // curl_slist_append copies; on allocation failure the header is missing and
    // S3 rejects the request, which the caller reports.
    if (curl_slist* next = curl_slist_append(list, line.c_str())) list = next;
  }
};

}  // namespace

std::string HexSha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xF]);
  }
  return hex;
}

Status S3Http::Create(const S3HttpOptions& options, std::unique_ptr<S3Http>* http) {
  // curl_global_init is not thread-safe in 7.88; do it once, before any handle.
  static std::once_flag once;
  static CURLcode init = CURLE_OK;
  std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) {
    return Status::Internal(std::string("libcurl initialisation failed: ") +
                            curl_easy_strerror(init));
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("libcurl: cannot create a handle");
  http->reset(new S3Http(options, curl));
  return Status::OK();
}

S3Http::S3Http(S3HttpOptions options, void* curl)
    : options_(std::move(options)), sigv4_("aws:amz:" + options_.region + ":s3"), curl_(curl) {}

S3Http::~S3Http() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

void S3Http::Perform(const S3HttpRequest& request, S3HttpResponse* response) {
  *response = S3HttpResponse();
  CURL* curl = static_cast<CURL*>(curl_);
  // Reset drops the options of the previous request but keeps its connection.
  curl_easy_reset(curl);

  HeaderList headers;
  headers.Add("x-amz-content-sha256: " + HexSha256(request.body));
  if (!options_.session_token.empty()) {
    headers.Add("x-amz-security-token: " + options_.session_token);
  }
  if (!request.content_type.empty()) headers.Add("Content-Type: " + request.content_type);

  char error[CURL_ERROR_SIZE] = {0};
  Capture capture{response};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  // Not CURLOPT_USERPWD: a secret may contain ':'.
  curl_easy_setopt(curl, CURLOPT_USERNAME, options_.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "rtcstream/" RTCSTREAM_VERSION);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options_.timeout_ms, kMaxConnectTimeoutMs)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &capture);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "PUT" || request.method == "POST") {
      // The body goes as "post fields" under the custom method: curl sends it
      // from memory, without copying, and sets Content-Length.
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                       request.body.data() != nullptr ? request.body.data() : "");
    }
  }

  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl);
  response->elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  if (code != CURLE_OK) {
    response->curl_code = code;
    response->curl_error = error[0] != '\0' ? error : curl_easy_strerror(code);
    while (!response->curl_error.empty() && response->curl_error.back() == '\n') {
      response->curl_error.pop_back();
    }
    return;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->http_status);
}

}  // namespace rtcstream
