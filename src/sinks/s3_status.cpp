#include "sinks/s3_status.h"

#include <curl/curl.h>

#include "sinks/s3_xml.h"

namespace rtcstream {

namespace {

bool IsTlsError(int code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// The host of "scheme://host[:port]/...", for DNS messages.
std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const size_t end = url.find_first_of(":/", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Status TransportStatus(const S3RequestLabel& label, const S3HttpResponse& r) {
  const std::string prefix = label.operation + ": ";
  const std::string& why = r.curl_error;
  switch (r.curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return Status::Unavailable(prefix + "cannot resolve host " + HostOf(label.endpoint) + " (" +
                                 why + ")");
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable(prefix + "cannot connect to " + label.endpoint +
                                 ": connection refused or unreachable (" + why + ")");
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable(prefix + "timeout after " + std::to_string(r.elapsed_ms) +
                                 " ms (limit " + std::to_string(label.timeout_ms) +
                                 " ms) talking to " + label.endpoint + " (" + why + ")");
    case CURLE_GOT_NOTHING:
      return Status::Unavailable(prefix + label.endpoint +
                                 " closed the connection without answering (" + why + ")");
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Status::Unavailable(prefix + "connection to " + label.endpoint + " failed (" + why +
                                 ")");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(prefix + "bad endpoint " + label.endpoint + " (" + why + ")");
    default:
      break;
  }
  if (IsTlsError(r.curl_code)) {
    return Status::Unavailable(prefix + "TLS failure with " + label.endpoint + " (" + why + ")");
  }
  return Status::Unavailable(prefix + "request to " + label.endpoint + " failed (" + why + ")");
}

// "403 SignatureDoesNotMatch: <message> (request id X)", or "HTTP 502" when the
// body is not an S3 error document.
std::string Describe(const S3HttpResponse& r, const S3ErrorXml& e, bool parsed) {
  std::string text = std::to_string(r.http_status);
  if (parsed) {
    text += " " + e.code;
    if (!e.message.empty()) text += ": " + e.message;
  } else {
    text = "HTTP " + text + " without an S3 error document";
  }
  const std::string& id = !e.request_id.empty() ? e.request_id : r.request_id;
  if (!id.empty()) text += " (request id " + id + ")";
  return text;
}

}  // namespace

Status S3ResponseStatus(const S3RequestLabel& label, const S3HttpResponse& r) {
  if (r.curl_code != 0) return TransportStatus(label, r);
  if (r.http_status >= 200 && r.http_status < 300) return Status::OK();

  S3ErrorXml e;
  const bool parsed = ParseS3ErrorXml(r.body, &e);
  const std::string what = Describe(r, e, parsed);
  const std::string prefix = label.operation + ": ";
  const long status = r.http_status;

  if (e.code == "NoSuchBucket") {
    return Status::NotFound(prefix + "bucket " + label.bucket + " does not exist at " +
                            label.endpoint + ": " + what);
  }
  if (e.code == "RequestTimeTooSkewed") {
    std::string detail = "clock skew: the request time differs from S3's by more than 15 minutes";
    if (!e.request_time.empty() && !e.server_time.empty()) {
      detail +=
          " (this machine said " + e.request_time + ", S3's clock says " + e.server_time + ")";
    }
    return Status::PermissionDenied(prefix + detail + "; fix the system clock (NTP): " + what);
  }
  if (e.code == "InvalidAccessKeyId") {
    return Status::PermissionDenied(prefix + what + " [access key id " + label.access_key_id + "]");
  }
  if (e.code == "ExpiredToken" || e.code == "InvalidToken" || e.code == "TokenRefreshRequired") {
    return Status::PermissionDenied(prefix + "session token rejected: " + what);
  }
  if (e.code == "AuthorizationHeaderMalformed" || e.code == "PermanentRedirect" ||
      (status >= 300 && status < 400)) {
    std::string detail = what;
    if (!e.region.empty() && e.region != label.region) {
      detail = "wrong region: bucket " + label.bucket + " is in " + e.region + ", not " +
               label.region + ": " + what;
    }
    return Status::InvalidArgument(prefix + detail);
  }
  if (status == 403) return Status::PermissionDenied(prefix + what);
  if (status == 404) return Status::NotFound(prefix + what);
  if (S3ShouldRetry(r)) return Status::Unavailable(prefix + what);
  return Status::InvalidArgument(prefix + what);
}

bool S3ShouldRetry(const S3HttpResponse& r) {
  if (r.curl_code != 0) {
    switch (r.curl_code) {
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_OUT_OF_MEMORY:
        return false;
      default:
        return true;
    }
  }
  const long status = r.http_status;
  if (status >= 500 || status == 408 || status == 429) return true;
  if (status == 400) {
    // S3 answers 400 RequestTimeout when the upload stalled; the SDKs retry it.
    S3ErrorXml e;
    return ParseS3ErrorXml(r.body, &e) && e.code == "RequestTimeout";
  }
  return false;
}

bool S3IsDnsOrTlsFailure(const S3HttpResponse& r) {
  return r.curl_code == CURLE_COULDNT_RESOLVE_HOST || r.curl_code == CURLE_COULDNT_RESOLVE_PROXY ||
         IsTlsError(r.curl_code);
}

}  // namespace rtcstream
