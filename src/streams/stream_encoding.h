// How a data stream file is encoded: the seed's JSON array (default) or NDJSON
// (one room per line, what BigQuery, Snowflake, Athena and DuckDB load
// natively), optionally gzip-compressed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rtcstream {

enum class StreamFormat { kJson, kNdjson };
enum class StreamCompression { kNone, kGzip };

struct StreamEncoding {
  StreamFormat format = StreamFormat::kJson;
  StreamCompression compression = StreamCompression::kNone;
};

// Parses "json" / "ndjson".
Status ParseStreamFormat(std::string_view text, StreamFormat* format);
// Parses "none" / "gzip".
Status ParseStreamCompression(std::string_view text, StreamCompression* compression);

// Builds the file body from room structs (each a JSON object). The output is a
// pure function of its input (gzip without a timestamp), so a retried upload
// sends the same bytes.
Status EncodeStream(const std::vector<std::string>& room_jsons, const StreamEncoding& encoding,
                    std::string* body);

// ".json", ".ndjson", ".json.gz" or ".ndjson.gz".
std::string StreamExtension(const StreamEncoding& encoding);

// The Content-Type to store the object with.
std::string StreamContentType(const StreamEncoding& encoding);

// Decompresses a gzip body (for tests and tools).
Status GunzipStream(std::string_view gz, std::string* out);

}  // namespace rtcstream
