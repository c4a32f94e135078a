#include "import/dump_format.h"

#include "import/rtcstats_dump.h"
#include "import/webrtc_internals_dump.h"

namespace rtcstream {

const char* DumpFormatName(DumpFormat format) {
  return format == DumpFormat::kRtcstats ? "rtcstats" : "webrtc-internals";
}

Status DetectDumpFormat(std::string_view content, DumpFormat* format) {
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  const size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Status::InvalidArgument("the file is empty");
  if (content[first] == '[') {
    *format = DumpFormat::kRtcstats;
    return Status::OK();
  }
  if (content[first] == '{') {
    *format = DumpFormat::kWebrtcInternals;
    return Status::OK();
  }
  return Status::InvalidArgument(
      "not a dump: expected an rtcstats dump (JSON arrays, one per line) or a "
      "chrome://webrtc-internals dump (one JSON object)");
}

Status ParseDump(std::string_view content, ImportedTrace* trace) {
  DumpFormat format;
  Status s = DetectDumpFormat(content, &format);
  if (!s.ok()) return s;
  return format == DumpFormat::kRtcstats ? ParseRtcstatsDump(content, trace)
                                         : ParseWebrtcInternalsDump(content, trace);
}

}  // namespace rtcstream
