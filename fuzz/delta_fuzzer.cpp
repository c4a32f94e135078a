// Fuzzes getstats delta application and the analysis of its results. The input
// is a sequence of lines: a line starting with '[' is a whole tuple (e.g. a
// connection state change), any other line is the data of
// ["getstats", "PC_0", <line>, <time>]. A first line "removed" switches the
// session to rtcstats delta semantics (a report left out was removed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_writer.h"
#include "fuzz_checks.h"
#include "rooms/peer_state.h"
#include "session/trace_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtcstream;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  PeerState peer("fuzz-session", "");
  if (input.starts_with("removed\n")) {
    JsonWriter header;
    header.BeginObject();
    header.Key("getstats");
    header.String(kMissingMeansRemovedName);
    header.EndObject();
    peer.RecordServerEvent(kImportTuple, header.str(), 0);
    input.remove_prefix(8);
  }
  double ts = 1000;
  std::string tuple;
  while (!input.empty()) {
    const size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    if (line.starts_with('[')) {
      peer.FeedTupleJson(line);
    } else {
      tuple.assign("[\"getstats\",\"PC_0\",");
      tuple.append(line);
      tuple.append(",");
      tuple.append(std::to_string(static_cast<int64_t>(ts)));
      tuple.append("]");
      peer.FeedTupleJson(tuple);
      ts += 1000;
    }
  }
  CheckRecord(peer.ToRecord());
  return 0;
}
