// How a data stream file is encoded: the seed's JSON array (default) or NDJSON
// (one room per line, what BigQuery, Snowflake, Athena and DuckDB load
// natively), optionally gzip-compressed.
#pragma once

#include <memory>
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

// Builds a file body room by room, so that a window of any size needs memory for
// its (compressed) body only, not for all its room structs at once. Output is a
// pure function of the rooms added and the sizes of the Add calls' inputs.
class StreamEncoder {
 public:
  explicit StreamEncoder(const StreamEncoding& encoding);
  ~StreamEncoder();
  StreamEncoder(const StreamEncoder&) = delete;
  StreamEncoder& operator=(const StreamEncoder&) = delete;

  // Appends one room struct (a JSON object).
  Status Add(std::string_view room_json);
  // Completes the body and moves it out; the encoder is then spent.
  Status Finish(std::string* body);

  size_t rooms() const { return rooms_; }

 private:
  Status Emit(std::string_view text);

  StreamEncoding encoding_;
  size_t rooms_ = 0;
  std::string body_;
  struct Gzip;
  std::unique_ptr<Gzip> gzip_;  // set when compressing
};

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
