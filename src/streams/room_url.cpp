#include "streams/room_url.h"

#include "common/percent_encoding.h"

namespace rtcstream {

std::string RoomUrl(std::string_view public_url, std::string_view room_id) {
  return std::string(public_url) + "/rooms/" + PercentEncode(room_id);
}

}  // namespace rtcstream
