#include "import/dump_names.h"

namespace rtcstream {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string RoomIdFromUrl(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  // Skip "scheme://host" so that a bare origin has no segment.
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const size_t path = url.find('/', scheme + 3);
    url = path == std::string_view::npos ? std::string_view() : url.substr(path);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const size_t slash = url.rfind('/');
  return PercentDecode(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

std::string DumpFileStem(std::string_view path) {
  if (const size_t slash = path.rfind('/'); slash != std::string_view::npos) {
    path.remove_prefix(slash + 1);
  }
  bool stripped = true;
  while (stripped) {
    stripped = false;
    for (std::string_view ext : {".gz", ".json", ".txt", ".log"}) {
      if (path.size() > ext.size() && path.ends_with(ext)) {
        path.remove_suffix(ext.size());
        stripped = true;
      }
    }
  }
  return std::string(path);
}

}  // namespace rtcstream
