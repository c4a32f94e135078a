#include "import/dump_file.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace rtcstream {

namespace {

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

}  // namespace

Status GunzipDump(std::string_view gzip, size_t max_bytes, std::string* out) {
  out->clear();
  z_stream z{};
  // 16 + MAX_WBITS: gzip framing only.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return Status::Internal("zlib: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  z.avail_in = static_cast<uInt>(gzip.size());
  Status status;
  char buffer[1 << 16];
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = sizeof(buffer) - z.avail_out;
    if (out->size() + produced > max_bytes) {
      status = Status::ResourceExhausted("decompressed dump exceeds " + std::to_string(max_bytes) +
                                         " bytes");
      break;
    }
    out->append(buffer, produced);
    if (rc == Z_STREAM_END) {
      // Concatenated members (e.g. `cat a.gz b.gz`) continue the same text.
      if (z.avail_in == 0) break;
      if (inflateReset(&z) != Z_OK) {
        status = Status::Corruption("gzip: cannot read the next member");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      status = Status::Corruption("gzip: the file is truncated");
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status = Status::Corruption(std::string("gzip: ") + (z.msg != nullptr ? z.msg : "bad data"));
      break;
    }
  }
  inflateEnd(&z);
  return status;
}

Status ReadDumpFile(const std::string& path, size_t max_bytes, std::string* content) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return Status::NotFound("cannot open " + path);
  if (!std::filesystem::is_regular_file(status)) {
    return Status::InvalidArgument(path + " is not a regular file");
  }
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot read " + path + ": " + ec.message());
  if (size > max_bytes) {
    return Status::ResourceExhausted("dump exceeds " + std::to_string(max_bytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!bytes.empty() && !in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return Status::IOError("cannot read " + path);
  }
  if (IsGzip(bytes)) return GunzipDump(bytes, max_bytes, content);
  *content = std::move(bytes);
  return Status::OK();
}

}  // namespace rtcstream
