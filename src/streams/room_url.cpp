#include "streams/room_url.h"

#include <cctype>

namespace rtcstream {

std::string RoomUrl(std::string_view public_url, std::string_view room_id) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out(public_url);
  out += "/rooms/";
  for (unsigned char c : room_id) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace rtcstream
