#include "streams/series_json.h"

#include <cmath>

#include "common/json_writer.h"
#include "common/time_util.h"

namespace rtcstream {

namespace {

void WriteDirection(const PeerSeries& series, MediaKind kind, Direction direction, JsonWriter* w) {
  w->BeginObject();
  for (int f = 0; f < SeriesFieldCount(kind); ++f) {
    const SeriesField field = static_cast<SeriesField>(f);
    w->Key(SeriesFieldName(field));
    w->BeginArray();
    for (float v : series.Column(kind, direction, field)) {
      if (std::isnan(v)) {
        w->Null();
      } else {
        w->Number(v, SeriesFieldDecimals(field));
      }
    }
    w->EndArray();
  }
  w->EndObject();
}

void WriteKind(const PeerSeries& series, MediaKind kind, JsonWriter* w) {
  w->BeginObject();
  w->Key("inbound");
  WriteDirection(series, kind, Direction::kRecv, w);
  w->Key("outbound");
  WriteDirection(series, kind, Direction::kSend, w);
  w->EndObject();
}

}  // namespace

std::string PeerSeriesToJson(std::string_view room_id, std::string_view peer_id,
                             const PeerSeries& series, bool live) {
  JsonWriter w;
  w.BeginObject();
  w.Key("room_id");
  w.String(room_id);
  w.Key("peer_id");
  w.String(peer_id);
  w.Key("start_time");
  w.String(FormatIso8601(series.start_ms()));
  w.Key("live");
  w.Bool(live);
  w.Key("samples");
  w.Int(static_cast<int64_t>(series.size()));
  w.Key("pcs");
  w.BeginArray();
  for (const std::string& id : series.pc_ids()) w.String(id);
  w.EndArray();
  w.Key("series");
  w.BeginObject();
  w.Key("t");
  w.BeginArray();
  for (int64_t t : series.time_ms()) w.Int(t - series.start_ms());
  w.EndArray();
  w.Key("pc");
  w.BeginArray();
  for (uint32_t index : series.pc_index()) w.Int(index);
  w.EndArray();
  w.Key("audio");
  WriteKind(series, MediaKind::kAudio, &w);
  w.Key("video");
  WriteKind(series, MediaKind::kVideo, &w);
  w.EndObject();
  w.EndObject();
  return w.Release();
}

}  // namespace rtcstream
