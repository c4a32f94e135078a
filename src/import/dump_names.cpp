#include "import/dump_names.h"

#include "common/percent_encoding.h"

namespace rtcstream {

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
