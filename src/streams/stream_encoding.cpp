#include "streams/stream_encoding.h"

#include <zlib.h>

#include "streams/room_json.h"

namespace rtcstream {

Status ParseStreamFormat(std::string_view text, StreamFormat* format) {
  if (text == "json") {
    *format = StreamFormat::kJson;
  } else if (text == "ndjson") {
    *format = StreamFormat::kNdjson;
  } else {
    return Status::InvalidArgument("format \"" + std::string(text) +
                                   "\" is not supported (use \"json\" or \"ndjson\")");
  }
  return Status::OK();
}

Status ParseStreamCompression(std::string_view text, StreamCompression* compression) {
  if (text == "none") {
    *compression = StreamCompression::kNone;
  } else if (text == "gzip") {
    *compression = StreamCompression::kGzip;
  } else {
    return Status::InvalidArgument("compression \"" + std::string(text) +
                                   "\" is not supported (use \"none\" or \"gzip\")");
  }
  return Status::OK();
}

namespace {

Status Gzip(std::string_view in, std::string* out) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper; zlib writes mtime 0, so the
  // output depends on the input only.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  out->resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("gzip: deflate did not finish");
  out->resize(written);
  return Status::OK();
}

}  // namespace

Status EncodeStream(const std::vector<std::string>& room_jsons, const StreamEncoding& encoding,
                    std::string* body) {
  std::string text;
  if (encoding.format == StreamFormat::kJson) {
    text = StreamFileBody(room_jsons);
  } else {
    size_t size = 0;
    for (const std::string& r : room_jsons) size += r.size() + 1;
    text.reserve(size);
    for (const std::string& r : room_jsons) {
      text += r;
      text.push_back('\n');
    }
  }
  if (encoding.compression == StreamCompression::kNone) {
    *body = std::move(text);
    return Status::OK();
  }
  if (text.size() > 0xFFFFFFFFu) return Status::ResourceExhausted("stream larger than 4 GiB");
  return Gzip(text, body);
}

std::string StreamExtension(const StreamEncoding& encoding) {
  std::string ext = encoding.format == StreamFormat::kJson ? ".json" : ".ndjson";
  if (encoding.compression == StreamCompression::kGzip) ext += ".gz";
  return ext;
}

std::string StreamContentType(const StreamEncoding& encoding) {
  if (encoding.compression == StreamCompression::kGzip) return "application/gzip";
  return encoding.format == StreamFormat::kJson ? "application/json" : "application/x-ndjson";
}

Status GunzipStream(std::string_view gz, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Internal("gunzip: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  out->clear();
  char buf[65536];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::Corruption("gunzip: not a valid gzip stream");
    }
    out->append(buf, sizeof(buf) - zs.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return Status::OK();
}

}  // namespace rtcstream
