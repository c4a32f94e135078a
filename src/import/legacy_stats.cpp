#include "import/legacy_stats.h"

namespace rtcstream {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool IsLegacyStatsType(std::string_view type) {
  return type.starts_with("goog") || type == "ssrc" || type == "VideoBwe" ||
         type == "localcandidate" || type == "remotecandidate";
}

std::optional<std::string_view> FindLegacyStatsType(std::string_view json) {
  // Searched without its opening quote: '"' is everywhere in JSON, 't' is not.
  static constexpr std::string_view kKey = "type\"";
  size_t pos = 0;
  while ((pos = json.find(kKey, pos)) != std::string_view::npos) {
    const size_t key = pos;
    pos += kKey.size();
    // The member name "type"; inside a string the quotes would be escaped: \"type\".
    if (key == 0 || json[key - 1] != '"' || (key > 1 && json[key - 2] == '\\')) continue;
    size_t i = pos;
    while (i < json.size() && IsSpace(json[i])) ++i;
    if (i >= json.size() || json[i] != ':') continue;
    ++i;
    while (i < json.size() && IsSpace(json[i])) ++i;
    if (i >= json.size() || json[i] != '"') continue;
    const size_t begin = i + 1;
    const size_t end = json.find('"', begin);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view type = json.substr(begin, end - begin);
    if (IsLegacyStatsType(type)) return type;
    pos = end;
  }
  return std::nullopt;
}

}  // namespace rtcstream
