#include "rooms/imported_peer.h"

#include <algorithm>
#include <map>

#include "common/json_writer.h"
#include "import/dump_names.h"
#include "rooms/peer_state.h"

namespace rtcstream {

Status AnalyzeImportedTrace(const ImportedTrace& trace, std::string_view file,
                            std::string_view room_id, ImportedPeer* out) {
  *out = ImportedPeer{};
  const std::string stem = DumpFileStem(file);
  out->file = std::string(file);
  out->format = DumpFormatName(trace.format);
  out->room_id = !room_id.empty()         ? std::string(room_id)
                 : !trace.room_id.empty() ? trace.room_id
                                          : stem;
  out->session_id = "import:" + stem;
  out->user_agent = trace.user_agent;

  PeerState peer(out->session_id, trace.user_agent);
  // The raw trace is the dump's tuples and the header tuple below.
  peer.ReservePendingTrace(trace.tuples.size() + 256);
  JsonWriter header;
  header.BeginObject();
  header.Key("format");
  header.String(out->format);
  header.Key("file");
  header.String(file.substr(file.rfind('/') + 1));
  header.Key("getstats");
  header.String(trace.missing_report_removed ? kMissingMeansRemovedName
                                             : kMissingMeansUnchangedName);
  header.EndObject();
  peer.RecordServerEvent(kImportTuple, header.str(), 0);

  std::string_view rest = trace.tuples;
  size_t line = 0;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    const std::string_view tuple = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    ++line;
    Status s = peer.FeedTupleJson(tuple);
    if (s.ok()) {
      ++out->tuples;
    } else if (out->rejected++ == 0) {
      out->first_rejection = "entry " + std::to_string(line) + ": " + s.message();
    }
  }
  if (out->tuples == 0) {
    return Status::InvalidArgument(
        "no entry could be decoded" +
        (out->first_rejection.empty() ? std::string() : " (" + out->first_rejection + ")"));
  }
  if (!peer.first_seen_ms()) return Status::InvalidArgument("no entry has a time");
  peer.SetIdentityIfMissing(out->room_id, !trace.peer_id.empty() ? trace.peer_id : stem);
  out->record = peer.ToRecord();
  out->series = peer.Series();
  out->trace = peer.TakePendingTrace();
  return Status::OK();
}

std::vector<ImportedRoom> GroupImportedPeers(const std::vector<ImportedPeer>& peers,
                                             int64_t gap_ms) {
  std::map<std::string, std::vector<size_t>> by_room;
  for (size_t i = 0; i < peers.size(); ++i) by_room[peers[i].room_id].push_back(i);
  std::vector<ImportedRoom> rooms;
  for (auto& [room_id, members] : by_room) {
    std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      return peers[a].record.start_ms < peers[b].record.start_ms;
    });
    ImportedRoom* room = nullptr;
    for (size_t i : members) {
      const PeerRecord& p = peers[i].record;
      if (room == nullptr || p.start_ms > room->record.end_ms + gap_ms) {
        rooms.emplace_back();
        room = &rooms.back();
        room->record.room_id = room_id;
        room->record.start_ms = p.start_ms;
        room->record.end_ms = p.end_ms;
      }
      room->record.end_ms = std::max(room->record.end_ms, p.end_ms);
      room->record.peers.push_back(p);
      room->peer_index.push_back(i);
    }
  }
  std::stable_sort(rooms.begin(), rooms.end(), [](const ImportedRoom& a, const ImportedRoom& b) {
    return a.record.start_ms < b.record.start_ms;
  });
  return rooms;
}

}  // namespace rtcstream
