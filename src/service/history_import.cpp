#include "service/history_import.h"

#include <simdjson.h>

#include <algorithm>

#include "streams/room_json.h"
#include "streams/room_url.h"
#include "streams/window.h"

namespace rtcstream {

namespace {

// A collector seals a window within a tick of its end; a window ending this
// soon is left to it.
constexpr int64_t kSealMarginMs = 10000;

// Whether `room_json` (a stored struct) describes the same session as `record`.
bool SameSession(std::string_view room_json, const RoomRecord& record) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(room_json.data(), room_json.size()).get_object().get(obj) != simdjson::SUCCESS) {
    return false;
  }
  std::string_view start, end;
  simdjson::dom::array peers;
  if (obj["start_time"].get_string().get(start) != simdjson::SUCCESS ||
      obj["end_time"].get_string().get(end) != simdjson::SUCCESS ||
      obj["peers"].get_array().get(peers) != simdjson::SUCCESS) {
    return false;
  }
  if (start != FormatIso8601(record.start_ms) || end != FormatIso8601(record.end_ms)) return false;
  std::vector<std::string> stored, ours;
  for (simdjson::dom::element p : peers) {
    std::string_view id;
    if (p["peer_id"].get_string().get(id) != simdjson::SUCCESS) return false;
    stored.emplace_back(id);
  }
  for (const PeerRecord& p : record.peers) ours.push_back(p.peer_id);
  std::sort(stored.begin(), stored.end());
  std::sort(ours.begin(), ours.end());
  return stored == ours;
}

}  // namespace

EpochMs ImportWindow(EpochMs end_ms, EpochMs now, int64_t interval_ms,
                     std::optional<EpochMs> last_sealed_end) {
  EpochMs window =
      std::max(WindowStart(end_ms, interval_ms), WindowStart(now + kSealMarginMs, interval_ms));
  if (last_sealed_end) window = std::max(window, *last_sealed_end);
  return window;
}

Status StoreImportedRoom(HistoryStore* store, const ImportTarget& target, const ImportedRoom& room,
                         const std::vector<ImportedPeer>& peers,
                         const std::vector<TraceChunk>& traces, EpochMs now,
                         ImportedRoomResult* result) {
  *result = ImportedRoomResult{};
  RoomRecord record = room.record;
  record.project = target.project;

  std::vector<std::string> sessions;
  Status s = store->RoomSessions(target.project, record.room_id, &sessions);
  if (!s.ok()) return s;
  for (const std::string& json : sessions) {
    if (SameSession(json, record)) {
      result->duplicate = true;
      return Status::OK();
    }
  }

  std::optional<EpochMs> last_sealed;
  s = store->LastSealedWindowEnd(target.project, &last_sealed);
  if (!s.ok()) return s;
  if (!last_sealed) {
    const EpochMs current = WindowStart(now, target.stream_interval_ms);
    s = store->SealWindow(target.project, current - target.stream_interval_ms, current);
    if (!s.ok()) return s;
    last_sealed = current;
  }

  s = store->CreateRoom(target.project, record.room_id, record.start_ms, &result->room_key);
  if (!s.ok()) return s;
  std::vector<PeerSeriesEntry> series;
  for (size_t i = 0; i < room.peer_index.size(); ++i) {
    const ImportedPeer& peer = peers[room.peer_index[i]];
    StoredPeerInfo info;
    info.session_id = peer.session_id;
    info.peer_id = peer.record.peer_id;
    info.joined_ms = peer.record.start_ms;
    info.remote_address = "import";
    info.user_agent = peer.user_agent;
    int64_t peer_key = 0;
    s = store->AddPeer(result->room_key, info, &peer_key);
    if (s.ok()) s = store->AppendTraceChunk(peer_key, traces[room.peer_index[i]]);
    if (!s.ok()) return s;
    series.push_back({peer_key, peer.series});
  }
  s = store->StorePeerSeries(series);
  if (!s.ok()) return s;
  const std::string json = RoomToJson(record, RoomUrl(target.public_url, record.room_id));
  result->window_start = ImportWindow(record.end_ms, now, target.stream_interval_ms, last_sealed);
  return store->CloseRoom(result->room_key, record.end_ms, json, result->window_start);
}

}  // namespace rtcstream
