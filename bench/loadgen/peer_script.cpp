#include "loadgen/peer_script.h"

#include <simdjson.h>

#include <algorithm>

#include "common/json_writer.h"
#include "common/percent_encoding.h"

namespace rtcstream {

namespace {

// The name of a plain tuple frame, or "" for a compressed one.
std::string_view PlainTupleName(std::string_view frame, simdjson::dom::parser* parser) {
  if (frame.empty() || frame[0] != '[') return {};
  simdjson::dom::element doc;
  std::string_view name;
  if (parser->parse(frame.data(), frame.size()).get(doc) != simdjson::SUCCESS ||
      doc.at(0).get_string().get(name) != simdjson::SUCCESS) {
    return {};
  }
  return name;
}

}  // namespace

Status RewriteWatchrtc(std::string_view frame, std::string_view room_id, std::string_view peer_id,
                       std::string_view api_key, std::string* out) {
  simdjson::dom::parser parser;
  simdjson::dom::array tuple;
  if (parser.parse(frame.data(), frame.size()).get_array().get(tuple) != simdjson::SUCCESS) {
    return Status::InvalidArgument("watchrtc frame is not a JSON array");
  }
  JsonWriter w;
  w.BeginArray();
  size_t index = 0;
  for (simdjson::dom::element e : tuple) {
    simdjson::dom::object data;
    if (index++ != 2 || e.get_object().get(data) != simdjson::SUCCESS) {
      w.Raw(simdjson::minify(e));
      continue;
    }
    w.BeginObject();
    for (auto field : data) {
      w.Key(field.key);
      if (field.key == "rtcRoomId") {
        w.String(room_id);
      } else if (field.key == "rtcPeerId") {
        w.String(peer_id);
      } else if (field.key == "rtcApiKey") {
        w.String(api_key);
      } else {
        w.Raw(simdjson::minify(field.value));
      }
    }
    w.EndObject();
  }
  w.EndArray();
  *out = w.Release();
  return Status::OK();
}

Status BuildScripts(const Recording& recording, std::vector<ConnectionScript>* out) {
  out->clear();
  simdjson::dom::parser parser;
  for (const RecordedConnection& conn : recording.connections) {
    ConnectionScript script;
    script.user_agent = conn.user_agent;
    script.client_timestamp = QueryParam(conn.url, "timestamp");
    const std::vector<size_t> steady = SteadyStateFrames(conn);
    const size_t end = steady.empty() ? conn.frames.size() : steady.back() + 1;
    bool has_identity = false;
    for (size_t i = 0; i < end; ++i) {
      const RecordedFrame& f = conn.frames[i];
      ScriptFrame frame;
      frame.text = f.text;
      frame.gap_ms =
          static_cast<double>(f.t_ms - (i == 0 ? conn.open_ms : conn.frames[i - 1].t_ms));
      FrameCounts counts;
      Status s = CountFrame(f.text, &counts);
      if (!s.ok())
        return Status::InvalidArgument("frame " + std::to_string(i) + ": " + s.message());
      frame.tuples = static_cast<uint32_t>(counts.tuples);
      frame.getstats = static_cast<uint32_t>(counts.getstats);
      if (PlainTupleName(f.text, &parser) == "watchrtc") {
        frame.watchrtc = true;
        simdjson::dom::element doc;
        std::string_view peer;
        if (parser.parse(f.text).get(doc) == simdjson::SUCCESS &&
            doc.at(2)["rtcPeerId"].get_string().get(peer) == simdjson::SUCCESS) {
          script.peer_id = std::string(peer);
        }
        has_identity = true;
      }
      script.frames.push_back(std::move(frame));
    }
    if (!has_identity) continue;  // a reconnect or a rejected socket: no room of its own
    std::vector<double> gaps;
    for (size_t k = 1; k < steady.size(); ++k) {
      gaps.push_back(
          static_cast<double>(conn.frames[steady[k]].t_ms - conn.frames[steady[k - 1]].t_ms));
    }
    std::vector<double> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted.empty() ? 2000 : sorted[sorted.size() / 2];
    script.cycle = steady;
    script.cycle_gap_ms.push_back(median);
    script.cycle_gap_ms.insert(script.cycle_gap_ms.end(), gaps.begin(), gaps.end());
    if (script.cycle.empty()) script.cycle_gap_ms.clear();
    out->push_back(std::move(script));
  }
  if (out->empty())
    return Status::InvalidArgument(recording.name + ": no connection with a watchrtc frame");
  return Status::OK();
}

}  // namespace rtcstream
