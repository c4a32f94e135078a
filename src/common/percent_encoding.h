// Percent-encoding (RFC 3986) for URLs and object keys.
#pragma once

#include <string>
#include <string_view>

namespace rtcstream {

// Percent-encodes every byte of `text` except the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`), with upper-case hex digits:
// the form SigV4 signs, and safe in a URL path segment or query value.
std::string PercentEncode(std::string_view text, bool keep_slash = false);

// Decodes %XX escapes; with `plus_is_space`, also '+' as a space (the form
// encoding of query strings). A '%' not followed by two hex digits stays as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// The value of `name` in the query string of `target` (a request target or a
// URL, "/path?a=1&b=2"), decoded; empty when absent.
std::string QueryParam(std::string_view target, std::string_view name);

}  // namespace rtcstream
