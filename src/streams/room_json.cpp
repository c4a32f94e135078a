#include "streams/room_json.h"

#include <set>
#include <utility>

#include "common/json_writer.h"

namespace rtcstream {

namespace {

// Decimal places per figure (see the header).
constexpr int kIntegerDecimals = 0;  // bitrate, jitter, rtt, call_setup_time, duration
constexpr int kPacketLossDecimals = 1;
constexpr int kScoreDecimals = 1;
constexpr int kMosDecimals = 2;

// Which optional figures a direction object carries. The published struct
// differs by level and kind: rooms carry no per-direction mos or score, video
// carries no per-direction score, and only send has rtt.
struct DirectionFields {
  bool mos = false;
  bool score = false;
  bool rtt = false;
};

void WriteDirection(const DirectionSummary& d, DirectionFields fields, JsonWriter* w) {
  w->BeginObject();
  if (fields.mos) {
    w->Key("mos");
    w->OptNumber(d.mos, kMosDecimals);
  }
  if (fields.score) {
    w->Key("score");
    w->OptNumber(d.score, kScoreDecimals);
  }
  w->Key("bitrate");
  w->OptNumber(d.bitrate, kIntegerDecimals);
  w->Key("packet_loss");
  w->OptNumber(d.packet_loss, kPacketLossDecimals);
  w->Key("jitter");
  w->OptNumber(d.jitter, kIntegerDecimals);
  if (fields.rtt) {
    w->Key("rtt");
    w->OptNumber(d.rtt, kIntegerDecimals);
  }
  w->EndObject();
}

void WriteKind(const KindSummary& k, DirectionFields send, DirectionFields recv, JsonWriter* w) {
  w->BeginObject();
  w->Key("send");
  WriteDirection(k.send, send, w);
  w->Key("recv");
  WriteDirection(k.recv, recv, w);
  w->Key("bitrate");
  w->OptNumber(k.Bitrate(), kIntegerDecimals);
  w->Key("packet_loss");
  w->OptNumber(k.PacketLoss(), kPacketLossDecimals);
  w->Key("jitter");
  w->OptNumber(k.Jitter(), kIntegerDecimals);
  w->EndObject();
}

enum class Level { kRoom, kPeer };

void WriteStats(const MediaSummary& m, Level level, JsonWriter* w) {
  const bool peer = level == Level::kPeer;
  w->BeginObject();
  w->Key("mos");
  w->OptNumber(m.mos, kMosDecimals);
  w->Key("score");
  w->OptNumber(m.score, kScoreDecimals);
  w->Key("call_setup_time");
  w->OptNumber(m.call_setup_time, kIntegerDecimals);
  w->Key("audio");
  WriteKind(m.audio, {.mos = peer, .score = peer, .rtt = true}, {.mos = peer, .score = peer}, w);
  w->Key("video");
  WriteKind(m.video, {.mos = peer, .rtt = true}, {.mos = peer}, w);
  w->EndObject();
}

// Whole seconds from start to end; null when the end precedes the start
// (a clock step or a peer whose end is unknown).
void WriteDuration(EpochMs start_ms, EpochMs end_ms, JsonWriter* w) {
  if (end_ms < start_ms) {
    w->Null();
    return;
  }
  w->Number(static_cast<double>(end_ms - start_ms) / 1000.0, kIntegerDecimals);
}

// Writes the keys object: one value as a string, several as an array, none as
// []. A name given twice is merged so that the object never repeats a key.
void WriteKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& keys,
               JsonWriter* w) {
  std::vector<std::pair<std::string_view, std::vector<std::string_view>>> merged;
  for (const auto& [name, values] : keys) {
    auto it = merged.begin();
    while (it != merged.end() && it->first != name) ++it;
    if (it == merged.end()) it = merged.insert(merged.end(), {name, {}});
    it->second.insert(it->second.end(), values.begin(), values.end());
  }
  w->BeginObject();
  for (const auto& [name, values] : merged) {
    w->Key(name);
    if (values.size() == 1) {
      w->String(values[0]);
      continue;
    }
    w->BeginArray();
    for (const auto& v : values) w->String(v);
    w->EndArray();
  }
  w->EndObject();
}

void WritePeer(const PeerRecord& p, JsonWriter* w) {
  w->BeginObject();
  w->Key("peer_id");
  w->String(p.peer_id);
  w->Key("os");
  w->OptString(p.os);
  w->Key("os_version");
  w->OptString(p.os_version);
  w->Key("browser");
  w->OptString(p.browser);
  w->Key("browser_version");
  w->OptString(p.browser_version);
  w->Key("location");
  w->BeginObject();
  w->Key("city");
  w->OptString(p.location.city);
  w->Key("country");
  w->OptString(p.location.country);
  w->Key("organization");
  w->OptString(p.location.organization);
  w->EndObject();
  w->Key("sdk_version");
  w->OptString(p.sdk_version);
  w->Key("start_time");
  w->String(FormatIso8601(p.start_ms));
  w->Key("duration");
  WriteDuration(p.start_ms, p.end_ms, w);
  w->Key("keys");
  WriteKeys(p.keys, w);
  w->Key("features");
  w->BeginObject();
  w->Key("connection_type");
  w->OptString(p.features.connection_type);
  w->Key("media_transport");
  w->OptString(p.features.media_transport);
  w->EndObject();
  w->Key("stats");
  WriteStats(p.stats, Level::kPeer, w);
  w->Key("audio_device");
  w->OptString(p.audio_device);
  w->Key("video_device");
  w->OptString(p.video_device);
  w->EndObject();
}

}  // namespace

std::string RoomToJson(const RoomRecord& room, std::string_view room_url) {
  std::set<std::string_view> peer_ids;
  std::vector<MediaSummary> peer_stats;
  peer_stats.reserve(room.peers.size());
  for (const auto& p : room.peers) {
    peer_ids.insert(p.peer_id);
    peer_stats.push_back(p.stats);
  }

  JsonWriter w;
  w.BeginObject();
  w.Key("room_url");
  w.String(room_url);
  w.Key("room_id");
  w.String(room.room_id);
  w.Key("start_time");
  w.String(FormatIso8601(room.start_ms));
  w.Key("end_time");
  w.String(FormatIso8601(room.end_ms));
  w.Key("duration");
  WriteDuration(room.start_ms, room.end_ms, &w);
  w.Key("users");
  w.Int(static_cast<int64_t>(peer_ids.size()));
  w.Key("stats");
  WriteStats(AggregateRoom(peer_stats), Level::kRoom, &w);
  w.Key("peers");
  w.BeginArray();
  for (const auto& p : room.peers) WritePeer(p, &w);
  w.EndArray();
  w.EndObject();
  return w.Release();
}

std::string StreamFileBody(const std::vector<std::string>& room_jsons) {
  size_t size = 3;
  for (const auto& r : room_jsons) size += r.size() + 1;
  std::string body;
  body.reserve(size);
  body += '[';
  for (size_t i = 0; i < room_jsons.size(); ++i) {
    if (i > 0) body += ',';
    body += room_jsons[i];
  }
  body += "]\n";
  return body;
}

}  // namespace rtcstream
