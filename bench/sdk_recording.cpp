#include "sdk_recording.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>

#include "wire/frame.h"

namespace rtcstream {

namespace {

// Adds one tuple ([name, pcId, data, ts]) to the counts.
void CountTuple(simdjson::dom::element tuple, FrameCounts* out) {
  out->tuples++;
  std::string_view name;
  if (tuple.at(0).get_string().get(name) != simdjson::SUCCESS || name != "getstats") {
    out->only_getstats = false;
    return;
  }
  out->getstats++;
  simdjson::dom::object data;
  if (tuple.at(2).get_object().get(data) != simdjson::SUCCESS) return;
  for (auto field : data) {
    simdjson::dom::object report;
    if (field.value.get_object().get(report) != simdjson::SUCCESS) continue;
    simdjson::dom::element type;
    if (report["type"].get(type) == simdjson::SUCCESS) out->full_getstats = true;
  }
}

}  // namespace

std::string RecordingPath(std::string_view name) {
  return std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/sdk-recordings/" + std::string(name) +
         ".jsonl";
}

Status LoadRecording(const std::string& path, Recording* out) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot open " + path);
  out->connections.clear();
  out->order.clear();
  const size_t slash = path.find_last_of('/');
  out->name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  if (out->name.size() > 6 && out->name.ends_with(".jsonl")) out->name.resize(out->name.size() - 6);

  simdjson::dom::parser parser;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    simdjson::dom::element e;
    if (parser.parse(line).get(e) != simdjson::SUCCESS) {
      return Status::Corruption(where + ": not a JSON object");
    }
    int64_t conn = 0;
    if (e["conn"].get_int64().get(conn) != simdjson::SUCCESS) continue;  // HTTP request
    int64_t t = 0;
    if (e["t"].get_int64().get(t) != simdjson::SUCCESS) {
      return Status::Corruption(where + ": no time");
    }
    std::string_view event = "frame";
    if (e["event"].get_string().get(event) != simdjson::SUCCESS) event = "frame";
    auto it = std::find_if(out->connections.begin(), out->connections.end(),
                           [conn](const RecordedConnection& c) { return c.conn == conn; });
    if (event == "open") {
      if (it != out->connections.end()) return Status::Corruption(where + ": connection reopened");
      RecordedConnection c;
      c.conn = conn;
      c.open_ms = t;
      std::string_view url, ua;
      if (e["url"].get_string().get(url) != simdjson::SUCCESS) {
        return Status::Corruption(where + ": open without url");
      }
      c.url = std::string(url);
      if (e["headers"]["user-agent"].get_string().get(ua) == simdjson::SUCCESS) {
        c.user_agent = std::string(ua);
      }
      out->connections.push_back(std::move(c));
    } else if (event == "frame") {
      if (it == out->connections.end()) return Status::Corruption(where + ": frame before open");
      std::string_view text;
      if (e["frame"].get_string().get(text) != simdjson::SUCCESS) {
        return Status::Corruption(where + ": frame without text");
      }
      out->order.push_back(
          FrameRef{static_cast<size_t>(it - out->connections.begin()), it->frames.size()});
      it->frames.push_back(RecordedFrame{t, std::string(text)});
    }
  }
  if (out->connections.empty()) return Status::InvalidArgument(path + ": no connection");
  return Status::OK();
}

Status CountFrame(std::string_view frame, FrameCounts* out) {
  *out = FrameCounts{};
  DecodedFrame decoded;
  Status s = DecodeFrame(frame, FrameLimits{}, &decoded);
  if (!s.ok()) return s;
  out->json_bytes = decoded.json.size();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array arr;
  if (parser.parse(decoded.json).get(doc) != simdjson::SUCCESS ||
      doc.get_array().get(arr) != simdjson::SUCCESS) {
    return Status::InvalidArgument("frame is not a JSON array");
  }
  out->only_getstats = true;
  simdjson::dom::element first;
  if (arr.at(0).get(first) == simdjson::SUCCESS && first.is_string()) {
    CountTuple(doc, out);  // a single tuple
  } else {
    for (simdjson::dom::element tuple : arr) CountTuple(tuple, out);
  }
  if (out->getstats == 0) out->only_getstats = false;
  return Status::OK();
}

std::vector<size_t> SteadyStateFrames(const RecordedConnection& conn) {
  std::vector<size_t> out;
  for (size_t i = 0; i < conn.frames.size(); ++i) {
    FrameCounts counts;
    if (!CountFrame(conn.frames[i].text, &counts).ok()) continue;
    if (counts.only_getstats && !counts.full_getstats) out.push_back(i);
  }
  return out;
}

}  // namespace rtcstream
