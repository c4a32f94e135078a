#include "sinks/object_name.h"

#include <string>

namespace rtcstream {

Status ValidateObjectName(std::string_view name) {
  auto bad = [&](const char* why) {
    // Control bytes would garble the log line the message ends up in.
    std::string shown(name);
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return Status::InvalidArgument("invalid object name \"" + shown + "\": " + why);
  };
  if (name.empty()) return bad("empty");
  if (name.front() == '/') return bad("absolute");
  // NUL would silently cut the path short in system calls; a backslash is a
  // separator on some object stores and file systems.
  if (name.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (name.find('\\') != std::string_view::npos) return bad("contains a backslash");
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view part = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty()) return bad("empty path component");
    if (part == "." || part == "..") return bad("\".\" or \"..\" component");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::OK();
}

}  // namespace rtcstream
