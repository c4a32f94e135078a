#include "service/stream_status.h"

#include <algorithm>

#include "common/json_writer.h"
#include "common/time_util.h"

namespace rtcstream {

namespace {

// Text that is empty when unknown: null in the JSON.
void StringOrNull(const std::string& value, JsonWriter* json) {
  if (value.empty()) {
    json->Null();
  } else {
    json->String(value);
  }
}

void WriteWindow(const StreamWindow& w, JsonWriter* json) {
  json->BeginObject();
  json->Key("window_start");
  json->String(FormatIso8601(w.window_start));
  json->Key("window_end");
  json->String(FormatIso8601(w.window_end));
  json->Key("state");
  json->String(w.delivered ? "delivered" : "pending");
  json->Key("attempts");
  json->Int(w.attempts);
  json->Key("last_error");
  StringOrNull(w.last_error, json);
  if (w.delivered) {
    json->Key("delivered_at");
    json->String(FormatIso8601(w.delivered_ms));
    json->Key("location");
    json->String(w.location);
    json->Key("etag");
    StringOrNull(w.etag, json);
    json->Key("rooms");
    json->Int(w.room_count);
    json->Key("bytes");
    json->Int(w.size_bytes);
    json->Key("sha256");
    json->String(w.sha256_hex);
  }
  json->EndObject();
}

}  // namespace

std::string MaskAccessKeyId(const std::string& id) {
  if (id.empty()) return "(none)";
  return id.substr(0, std::min<size_t>(4, id.size())) + "****";
}

std::string DescribeSecret(const SecretSetting& secret) {
  if (secret.value.empty()) return "(none)";
  return "set (" + secret.source + ")";
}

std::string FormatDurationSetting(int64_t ms) {
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string StreamStatusJson(const ProjectConfig& project, const std::vector<StreamWindow>& pending,
                             const std::vector<StreamWindow>& recent) {
  const StreamConfig& st = project.stream;
  JsonWriter json;
  json.BeginObject();
  json.Key("project");
  json.String(project.id);
  json.Key("stream");
  json.BeginObject();
  json.Key("sink");
  json.String(st.sink);
  if (st.sink == "s3") {
    json.Key("bucket");
    json.String(st.bucket);
    json.Key("region");
    json.String(st.region);
    json.Key("endpoint");
    StringOrNull(st.endpoint, &json);
    json.Key("access_key_id");
    json.String(MaskAccessKeyId(st.access_key_id));
    json.Key("secret_access_key");
    json.String(DescribeSecret(st.secret_access_key));
    json.Key("session_token");
    json.String(DescribeSecret(st.session_token));
  }
  json.Key("prefix");
  json.String(st.prefix);
  json.Key("interval");
  json.String(FormatDurationSetting(st.interval_ms));
  json.Key("format");
  json.String(st.encoding.format == StreamFormat::kJson ? "json" : "ndjson");
  json.Key("compression");
  json.String(st.encoding.compression == StreamCompression::kGzip ? "gzip" : "none");
  json.Key("key_template");
  json.String(st.key_template);
  json.EndObject();
  json.Key("pending");
  json.BeginArray();
  for (const StreamWindow& w : pending) WriteWindow(w, &json);
  json.EndArray();
  json.Key("recent");
  json.BeginArray();
  for (const StreamWindow& w : recent) WriteWindow(w, &json);
  json.EndArray();
  json.EndObject();
  return json.str();
}

}  // namespace rtcstream
