#include "store/trace_codec.h"

#include <zlib.h>

#include <limits>

namespace rtcstream {

namespace {

// zlib's deflate never expands data more than about 1032:1 in reverse, so a
// chunk that claims more is damaged; checking first avoids allocating
// gigabytes for a corrupt size field.
constexpr int64_t kMaxDeflateRatio = 1032;

}  // namespace

Status CompressTraceChunk(std::string_view raw, std::string* out) {
  if (raw.size() > std::numeric_limits<uLong>::max() / 2) {
    return Status::ResourceExhausted("compress trace chunk: " + std::to_string(raw.size()) +
                                     " bytes is too large");
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  out->resize(size);
  const int rc = compress2(reinterpret_cast<Bytef*>(out->data()), &size,
                           reinterpret_cast<const Bytef*>(raw.data()),
                           static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) {
    out->clear();
    return Status::Internal("compress trace chunk: zlib error " + std::to_string(rc));
  }
  out->resize(size);
  return Status::OK();
}

Status DecompressTraceChunk(std::string_view compressed, int64_t raw_bytes, std::string* out) {
  const int64_t limit = static_cast<int64_t>(compressed.size()) * kMaxDeflateRatio + 1024;
  if (raw_bytes < 0 || raw_bytes > limit) {
    return Status::Corruption("trace chunk of " + std::to_string(compressed.size()) +
                              " compressed bytes claims " + std::to_string(raw_bytes) +
                              " uncompressed bytes");
  }
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(raw_bytes));
  // std::string::data() is never null, and zlib handles a zero-sized
  // destination itself, so an empty chunk needs no special case.
  uLongf size = static_cast<uLongf>(raw_bytes);
  Bytef* dest = reinterpret_cast<Bytef*>(out->data() + start);
  const int rc = uncompress(dest, &size, reinterpret_cast<const Bytef*>(compressed.data()),
                            static_cast<uLong>(compressed.size()));
  if (rc != Z_OK || size != static_cast<uLongf>(raw_bytes)) {
    out->resize(start);
    // Z_BUF_ERROR: the data is truncated or holds more than recorded.
    const char* reason = rc == Z_BUF_ERROR    ? "truncated, or longer than recorded"
                         : rc == Z_DATA_ERROR ? "invalid compressed data"
                         : rc != Z_OK         ? "zlib error"
                                              : "shorter than recorded";
    return Status::Corruption("trace chunk does not decompress to its recorded " +
                              std::to_string(raw_bytes) + " bytes: " + reason);
  }
  return Status::OK();
}

}  // namespace rtcstream
