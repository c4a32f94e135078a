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
  // Searched from its 'y': '"' and 't' are everywhere in stats JSON (every
  // "timestamp"), 'y' is much rarer, so the search stops far less often.
  static constexpr std::string_view kKeyTail = "ype\"";
  size_t pos = 0;
  while ((pos = json.find(kKeyTail, pos)) != std::string_view::npos) {
    pos += kKeyTail.size();
    if (pos < 5 || json[pos - 5] != 't') continue;
    const size_t key = pos - 5;
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
