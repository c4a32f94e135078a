#include "analysis/media_kind.h"

namespace rtcstream {

namespace {

std::optional<MediaKind> KindFromField(const StatsReport& report) {
  std::optional<std::string_view> kind = GetString(report, StatField::kKind);
  if (!kind) kind = GetString(report, StatField::kMediaType);
  if (!kind) return std::nullopt;
  if (*kind == "audio") return MediaKind::kAudio;
  if (*kind == "video") return MediaKind::kVideo;
  return std::nullopt;
}

}  // namespace

std::optional<MediaKind> ReportKind(const StatsSnapshot& snapshot, const StatsReport& report) {
  if (std::optional<MediaKind> kind = KindFromField(report)) return kind;
  // A remote-inbound-rtp report without a kind describes the local outbound
  // stream it names; one level of indirection is enough.
  if (std::optional<std::string_view> local_id = GetString(report, StatField::kLocalId)) {
    if (const StatsReport* local = snapshot.Find(*local_id)) return KindFromField(*local);
  }
  return std::nullopt;
}

}  // namespace rtcstream
