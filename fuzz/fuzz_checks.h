// Invariants the fuzz targets assert on analysis output.
#pragma once

#include <simdjson.h>

#include <cmath>
#include <optional>
#include <string>

#include "analysis/media_summary.h"
#include "rooms/room_record.h"
#include "streams/room_json.h"

namespace rtcstream {

// Traps when a figure is NaN or infinite: those would be written to the data
// stream as invalid JSON numbers.
inline void CheckFinite(const std::optional<double>& figure) {
  if (figure && !std::isfinite(*figure)) __builtin_trap();
}

inline void CheckFinite(const DirectionSummary& d) {
  CheckFinite(d.bitrate);
  CheckFinite(d.packet_loss);
  CheckFinite(d.jitter);
  CheckFinite(d.rtt);
  CheckFinite(d.mos);
  CheckFinite(d.score);
}

inline void CheckFinite(const KindSummary& k) {
  CheckFinite(k.send);
  CheckFinite(k.recv);
  CheckFinite(k.Bitrate());
  CheckFinite(k.PacketLoss());
  CheckFinite(k.Jitter());
}

inline void CheckFinite(const MediaSummary& s) {
  CheckFinite(s.mos);
  CheckFinite(s.score);
  CheckFinite(s.call_setup_time);
  CheckFinite(s.audio);
  CheckFinite(s.video);
}

// Every figure of a peer, and of a room of two such peers, is finite, and the
// room's data stream struct is valid JSON (UTF-8 included).
inline void CheckRecord(const PeerRecord& record) {
  CheckFinite(record.stats);
  RoomRecord room;
  room.project = "fuzz";
  room.room_id = "room";
  room.start_ms = record.start_ms;
  room.end_ms = record.end_ms;
  room.peers = {record, record};
  CheckFinite(AggregateRoom({record.stats, record.stats}));
  const std::string json = RoomToJson(room, "http://127.0.0.1:8080/rooms/room");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) __builtin_trap();
}

}  // namespace rtcstream
