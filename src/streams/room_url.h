// The `room_url` of a room struct: where the room's sessions are served.
#pragma once

#include <string>
#include <string_view>

namespace rtcstream {

// Returns "<public_url>/rooms/<room id, percent-encoded>"; room ids are free
// text, so every byte but A-Z a-z 0-9 - _ . ~ is encoded. An empty public_url
// gives a path relative to wherever the history is served.
std::string RoomUrl(std::string_view public_url, std::string_view room_id);

}  // namespace rtcstream
