// Percent-encoding (RFC 3986) for URLs and object keys.
#pragma once

#include <string>
#include <string_view>

namespace rtcstream {

// Percent-encodes every byte of `text` except the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`), with upper-case hex digits:
// the form SigV4 signs, and safe in a URL path segment or query value.
std::string PercentEncode(std::string_view text, bool keep_slash = false);

}  // namespace rtcstream
