// URLs of S3 objects, encoded the way SigV4 signs them.
//
// libcurl 7.88 signs the path and the query exactly as they appear in the URL,
// while S3 signs the URI-encoded key and the sorted, encoded query. So the URL
// must already be in canonical form: every byte of the key percent-encoded
// except A-Z a-z 0-9 - _ . ~ and '/', and the query sorted by name with every
// name followed by '=' ("?uploads=", not "?uploads").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rtcstream {

// Percent-encodes `text` as SigV4 requires (upper-case hex); '/' is kept as is
// when `keep_slash`, for object keys.
std::string S3UriEncode(std::string_view text, bool keep_slash);

// One query parameter, unencoded: {"partNumber", "3"}, or {"uploads", ""}.
using S3QueryParam = std::pair<std::string, std::string>;

// The canonical query string: parameters encoded, sorted, joined with '&'.
std::string S3CanonicalQuery(std::vector<S3QueryParam> params);

// Where a bucket is reached.
struct S3Location {
  std::string endpoint;  // "" for AWS itself, else "http(s)://host[:port]" (path-style)
  std::string region;
  std::string bucket;
};

// The URL of `key` (empty: the bucket itself) with `query` (already canonical).
// Without an endpoint: https://<bucket>.s3.<region>.amazonaws.com/<key>, or the
// path-style https://s3.<region>.amazonaws.com/<bucket>/<key> for bucket names
// with dots, which the virtual host's wildcard TLS certificate does not cover.
std::string S3ObjectUrl(const S3Location& where, std::string_view key, std::string_view query);

// The base URL requests go to: the endpoint, or the AWS host, for messages.
std::string S3EndpointForDisplay(const S3Location& where);

}  // namespace rtcstream
