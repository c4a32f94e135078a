// Browser and OS from a User-Agent header.
//
// Used only when the SDK's userAgentData is missing or names a GREASE brand
// (headless Chromium reports e.g. "Not:A-Brand"). Hand-written because Debian
// packages no maintained C++ user-agent parser; it recognises the browsers
// WebRTC apps run in, which is all the data stream needs.
#pragma once

#include <string>
#include <string_view>

namespace rtcstream {

struct ParsedUserAgent {
  std::string browser;          // "Chrome", "Firefox", "Safari", "Edge", "Opera" or ""
  std::string browser_version;  // "120.0.6099.71" or ""
  std::string os;               // "Windows", "macOS", "Linux", "Android", "iOS", "ChromeOS" or ""
};

ParsedUserAgent ParseUserAgent(std::string_view user_agent);

// True for brand names browsers invent to defeat UA sniffing ("Not:A-Brand",
// "Not_A Brand", "(Not(A:Brand"), and for an empty name.
bool IsGreaseBrand(std::string_view name);

}  // namespace rtcstream
