#include "session/user_agent.h"

#include <cctype>

namespace rtcstream {

namespace {

// The version after "<token>/" up to the next space or ';'.
bool VersionAfter(std::string_view ua, std::string_view token, std::string* version) {
  const size_t pos = ua.find(token);
  if (pos == std::string_view::npos) return false;
  size_t start = pos + token.size();
  size_t end = start;
  while (end < ua.size() && ua[end] != ' ' && ua[end] != ';' && ua[end] != ')') ++end;
  *version = std::string(ua.substr(start, end - start));
  return true;
}

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

}  // namespace

ParsedUserAgent ParseUserAgent(std::string_view ua) {
  ParsedUserAgent out;
  // Order matters: Edge and Opera also say "Chrome/", Chrome also says "Safari/".
  if (VersionAfter(ua, "Edg/", &out.browser_version) ||
      VersionAfter(ua, "EdgA/", &out.browser_version) ||
      VersionAfter(ua, "EdgiOS/", &out.browser_version)) {
    out.browser = "Edge";
  } else if (VersionAfter(ua, "OPR/", &out.browser_version)) {
    out.browser = "Opera";
  } else if (VersionAfter(ua, "Firefox/", &out.browser_version) ||
             VersionAfter(ua, "FxiOS/", &out.browser_version)) {
    out.browser = "Firefox";
  } else if (VersionAfter(ua, "HeadlessChrome/", &out.browser_version) ||
             VersionAfter(ua, "Chrome/", &out.browser_version) ||
             VersionAfter(ua, "CriOS/", &out.browser_version)) {
    out.browser = "Chrome";
  } else if (Contains(ua, "Safari/") && VersionAfter(ua, "Version/", &out.browser_version)) {
    out.browser = "Safari";
  }

  if (Contains(ua, "iPhone") || Contains(ua, "iPad") || Contains(ua, "iPod")) {
    out.os = "iOS";
  } else if (Contains(ua, "Android")) {
    out.os = "Android";
  } else if (Contains(ua, "Windows")) {
    out.os = "Windows";
  } else if (Contains(ua, "CrOS")) {
    out.os = "ChromeOS";
  } else if (Contains(ua, "Mac OS X") || Contains(ua, "Macintosh")) {
    out.os = "macOS";
  } else if (Contains(ua, "Linux") || Contains(ua, "X11")) {
    out.os = "Linux";
  }
  return out;
}

bool IsGreaseBrand(std::string_view name) {
  if (name.empty()) return true;
  for (char c : name) {
    // Real brand names are letters, digits and spaces ("Google Chrome", "Edge").
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ' ')) return true;
  }
  return Contains(name, "Brand");
}

}  // namespace rtcstream
