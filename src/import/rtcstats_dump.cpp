#include "import/rtcstats_dump.h"

#include <simdjson.h>

#include "common/json_writer.h"
#include "import/dump_names.h"
#include "import/legacy_stats.h"

namespace rtcstream {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The tuple name of a line, ["name", ...], without parsing the line; empty
// when the line does not start that way.
std::string_view TupleName(std::string_view line) {
  size_t i = 0;
  if (line.empty() || line[0] != '[') return {};
  ++i;
  while (i < line.size() && IsSpace(line[i])) ++i;
  if (i >= line.size() || line[i] != '"') return {};
  const size_t end = line.find('"', i + 1);
  if (end == std::string_view::npos) return {};
  return line.substr(i + 1, end - i - 1);
}

std::string_view StringField(object obj, std::string_view key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// What the `identity` entries say; the first non-empty value of each field wins.
struct Identity {
  std::string display_name, endpoint_id, user_id, conf_name, conf_id;

  void Read(object obj) {
    for (auto [field, key] : {std::pair{&display_name, "displayName"},
                              std::pair{&endpoint_id, "endpointId"}, std::pair{&user_id, "userId"},
                              std::pair{&conf_name, "confName"}, std::pair{&conf_id, "confID"}}) {
      if (field->empty()) *field = std::string(StringField(obj, key));
    }
  }
};

// The header: its payload object, read from the line's third element (an
// object, or an object serialized as a string).
struct Header {
  std::string user_agent, url, path;
  std::string payload_json;
};

Status ReadHeader(simdjson::dom::parser& parser, std::string_view line, Header* header) {
  element doc;
  if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the connectionInfo line is not valid JSON");
  }
  element payload;
  if (doc.at(2).get(payload) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the connectionInfo line has no payload");
  }
  std::string text;
  std::string_view as_string;
  if (payload.get_string().get(as_string) == simdjson::SUCCESS) {
    text = std::string(as_string);  // older servers: the object as a JSON string
    if (parser.parse(text).get(payload) != simdjson::SUCCESS) {
      return Status::InvalidArgument("the connectionInfo payload is not valid JSON");
    }
  }
  object obj;
  if (payload.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the connectionInfo payload is not an object");
  }
  header->user_agent = std::string(StringField(obj, "userAgent"));
  header->url = std::string(StringField(obj, "url"));
  header->path = std::string(StringField(obj, "path"));
  header->payload_json = simdjson::minify(payload);
  return Status::OK();
}

Status ReadIdentity(simdjson::dom::parser& parser, std::string_view line, Identity* identity) {
  element doc;
  object obj;
  if (parser.parse(line.data(), line.size()).get(doc) == simdjson::SUCCESS &&
      doc.at(2).get_object().get(obj) == simdjson::SUCCESS) {
    identity->Read(obj);
  }
  return Status::OK();  // a broken identity line is left to the decoder to report
}

}  // namespace

Status ParseRtcstatsDump(std::string_view content, ImportedTrace* trace) {
  *trace = ImportedTrace{};
  trace->format = DumpFormat::kRtcstats;
  trace->missing_report_removed = true;
  trace->tuples.reserve(content.size() + 64);
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);

  simdjson::dom::parser parser;
  Header header;
  Identity identity;
  size_t line_number = 0;
  while (!content.empty()) {
    const size_t newline = content.find('\n');
    std::string_view line = Trim(content.substr(0, newline));
    content.remove_prefix(newline == std::string_view::npos ? content.size() : newline + 1);
    ++line_number;
    if (line.empty()) continue;
    const std::string_view name = TupleName(line);
    if (name == "connectionInfo") {
      Status s = ReadHeader(parser, line, &header);
      if (!s.ok())
        return Status::InvalidArgument("line " + std::to_string(line_number) + ": " + s.message());
      JsonWriter w;
      w.BeginArray();
      w.String(name);
      w.Null();
      w.Raw(header.payload_json);
      w.Null();  // the server's clock: not a time of the peer
      w.EndArray();
      trace->tuples.append(w.str());
    } else {
      if (name == "identity") {
        ReadIdentity(parser, line, &identity);
      } else if (name == "getstats" || name == "getStats") {
        ++trace->getstats_count;
        if (std::optional<std::string_view> legacy = FindLegacyStatsType(line)) {
          return Status::InvalidArgument("refused: legacy (pre-standard) getStats, report type \"" +
                                         std::string(*legacy) + "\" on line " +
                                         std::to_string(line_number) +
                                         "; rtcstream imports standard getStats only");
        }
      }
      trace->tuples.append(line);
    }
    trace->tuples.push_back('\n');
    ++trace->tuple_count;
  }
  if (trace->tuple_count == 0) return Status::InvalidArgument("the dump has no entries");

  trace->user_agent = header.user_agent;
  trace->peer_id = !identity.display_name.empty()  ? identity.display_name
                   : !identity.endpoint_id.empty() ? identity.endpoint_id
                                                   : identity.user_id;
  if (!identity.conf_name.empty()) {
    trace->room_id = identity.conf_name;
  } else if (!identity.conf_id.empty()) {
    trace->room_id = RoomIdFromUrl(identity.conf_id);
  }
  if (trace->room_id.empty()) trace->room_id = RoomIdFromUrl(header.url);
  if (trace->room_id.empty()) trace->room_id = RoomIdFromUrl(header.path);
  return Status::OK();
}

}  // namespace rtcstream
