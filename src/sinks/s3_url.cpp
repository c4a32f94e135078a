#include "sinks/s3_url.h"

#include <algorithm>

#include "common/percent_encoding.h"

namespace rtcstream {

std::string S3UriEncode(std::string_view text, bool keep_slash) {
  return PercentEncode(text, keep_slash);
}

std::string S3CanonicalQuery(std::vector<S3QueryParam> params) {
  for (S3QueryParam& p : params) {
    p.first = S3UriEncode(p.first, false);
    p.second = S3UriEncode(p.second, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const S3QueryParam& p : params) {
    if (!out.empty()) out.push_back('&');
    out += p.first;
    out.push_back('=');
    out += p.second;
  }
  return out;
}

std::string S3EndpointForDisplay(const S3Location& where) {
  if (!where.endpoint.empty()) return where.endpoint;
  if (where.bucket.find('.') != std::string::npos) {
    return "https://s3." + where.region + ".amazonaws.com";
  }
  return "https://" + where.bucket + ".s3." + where.region + ".amazonaws.com";
}

std::string S3ObjectUrl(const S3Location& where, std::string_view key, std::string_view query) {
  std::string url = S3EndpointForDisplay(where);
  const bool path_style = !where.endpoint.empty() || where.bucket.find('.') != std::string::npos;
  // push_back + append rather than "/" + string: GCC 12 at -O3 reports a false
  // -Wrestrict overlap for the temporary concatenation.
  if (path_style) {
    url.push_back('/');
    url.append(S3UriEncode(where.bucket, false));
  }
  url.push_back('/');
  url.append(S3UriEncode(key, true));
  if (!query.empty()) {
    url.push_back('?');
    url.append(query);
  }
  return url;
}

}  // namespace rtcstream
