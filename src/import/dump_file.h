// Reading a dump file from disk: whole, and decompressed when it is gzip.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

// The largest dump (after decompression) rtcstream imports: 512 MiB, far above
// what a browser writes for a day-long call.
inline constexpr size_t kMaxDumpBytes = size_t{512} << 20;

// Reads the file at `path` into `content`. A gzip file (recognised by its magic
// bytes, whatever its name) is decompressed. Fails with ResourceExhausted when
// the content would exceed `max_bytes`.
Status ReadDumpFile(const std::string& path, size_t max_bytes, std::string* content);

// Decompresses a gzip stream (one or more members) into `out`.
Status GunzipDump(std::string_view gzip, size_t max_bytes, std::string* out);

}  // namespace rtcstream
