// The data stream struct of a room session, as JSON.
//
// The layout follows watchRTC's published data stream struct field for field
// and in the same key order, so that warehouse loaders written for watchRTC
// read our files unchanged. Every field is always present; unknown values are
// null, because a stable schema is what warehouse loaders need.
//
// Rounding (half away from zero, on the decimal value as written, so 3.15
// gives 3.2 and 4.405 gives 4.41 although neither is exact in binary):
// integers for bitrate, jitter, rtt, call_setup_time and duration; one
// decimal for packet_loss and score; two decimals for mos. Trailing zeros are
// dropped (6.0 is written 6), as JavaScript prints numbers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rooms/room_record.h"

namespace rtcstream {

// Returns the room's struct as compact JSON. Room-level figures are the mean
// of the peers' non-null figures (AggregateRoom); `users` counts distinct peer
// ids. A duration whose end precedes its start is unknown (null).
std::string RoomToJson(const RoomRecord& room, std::string_view room_url);

// Returns the body of a data stream file: the structs as one JSON array,
// followed by a newline ("[]\n" for a window without rooms).
std::string StreamFileBody(const std::vector<std::string>& room_jsons);

}  // namespace rtcstream
