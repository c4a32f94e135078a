#include "wire/http_trace.h"

#include <simdjson.h>

#include "common/json_writer.h"

namespace rtcstream {

namespace {

// [name, pcId, payload] + ts → [name, pcId, payload, ts]; a complete tuple stays.
Status CompleteTuple(simdjson::dom::array tuple, simdjson::dom::element ts,
                     std::vector<std::string>* out) {
  const size_t n = tuple.size();
  if (n == 4) {
    out->push_back(simdjson::minify(tuple));
    return Status::OK();
  }
  if (n != 3) return Status::InvalidArgument("an error tuple must be [name, pcId|null, data]");
  JsonWriter w;
  w.BeginArray();
  for (simdjson::dom::element e : tuple) w.Raw(simdjson::minify(e));
  w.Raw(simdjson::minify(ts));
  w.EndArray();
  out->push_back(w.str());
  return Status::OK();
}

}  // namespace

Status ParseHttpTraceBody(std::string_view body, HttpTraceBody* out) {
  *out = HttpTraceBody{};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err) {
    return Status::InvalidArgument(std::string("body is not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  std::string_view session_id;
  simdjson::dom::array data;
  if (doc["sessionId"].get_string().get(session_id) != simdjson::SUCCESS ||
      doc["data"].get_array().get(data) != simdjson::SUCCESS || data.size() == 0) {
    return Status::InvalidArgument("body must have sessionId and data (a tuple)");
  }
  out->session_id = std::string(session_id);
  // Optional fields: absent or non-string ones stay empty.
  for (auto [field, target] :
       {std::pair{"projectId", &out->project_id}, std::pair{"rtcRoomId", &out->room_id},
        std::pair{"rtcPeerId", &out->peer_id}}) {
    std::string_view value;
    if (doc[field].get_string().get(value) == simdjson::SUCCESS) *target = std::string(value);
  }

  simdjson::dom::array inner;
  if (data.at(0).get_array().get(inner) != simdjson::SUCCESS) {
    out->tuples.push_back(simdjson::minify(data));  // [name, pcId, payload, ts]
    return Status::OK();
  }
  if (data.size() != 2) return Status::InvalidArgument("data must be [tuple or tuples, timestamp]");
  const simdjson::dom::element ts = data.at(1).value_unsafe();
  if (inner.size() > 0 && !inner.at(0).is_array()) return CompleteTuple(inner, ts, &out->tuples);
  for (simdjson::dom::element e : inner) {
    simdjson::dom::array tuple;
    if (e.get_array().get(tuple) != simdjson::SUCCESS) {
      return Status::InvalidArgument("a buffered tuple is not an array");
    }
    Status s = CompleteTuple(tuple, ts, &out->tuples);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace rtcstream
