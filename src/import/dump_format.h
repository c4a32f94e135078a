// Which format a dump file is in, and the parser for each.
#pragma once

#include <string_view>

#include "common/status.h"
#include "import/imported_trace.h"

namespace rtcstream {

// Tells the format from the content: a file starting with '[' (one JSON array
// per line) is an rtcstats dump, one starting with '{' a webrtc-internals dump.
// Leading whitespace and a UTF-8 byte order mark are skipped.
Status DetectDumpFormat(std::string_view content, DumpFormat* format);

// Detects the format and parses `content` into `trace`. Dumps of legacy
// (pre-standard, "goog*") getStats are refused with InvalidArgument.
Status ParseDump(std::string_view content, ImportedTrace* trace);

}  // namespace rtcstream
