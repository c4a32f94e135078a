// Compression of stored trace chunks.
//
// Traces are JSON text that zlib shrinks several times over, and they are
// read back rarely (re-analysis, export), so the history keeps them
// compressed. Each chunk records its uncompressed size so that reading can
// size its buffer exactly and recognise a damaged chunk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

// A chunk of trace lines as the history keeps it.
struct TraceChunk {
  int64_t raw_bytes = 0;   // the size of the lines
  std::string compressed;  // CompressTraceChunk of the lines
};

// Compresses `raw` with zlib into *out (replacing its contents).
Status CompressTraceChunk(std::string_view raw, std::string* out);

// Decompresses a chunk that CompressTraceChunk produced from `raw_bytes` bytes
// and appends the result to *out. Returns Corruption when the data does not
// decompress to exactly `raw_bytes` bytes.
Status DecompressTraceChunk(std::string_view compressed, int64_t raw_bytes, std::string* out);

}  // namespace rtcstream
