#include "streams/stream_encoding.h"

#include <zlib.h>

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

struct StreamEncoder::Gzip {
  z_stream zs{};
  bool open = false;
  ~Gzip() {
    if (open) deflateEnd(&zs);
  }
};

StreamEncoder::StreamEncoder(const StreamEncoding& encoding) : encoding_(encoding) {
  if (encoding_.compression == StreamCompression::kGzip) {
    gzip_ = std::make_unique<Gzip>();
    // windowBits 15 + 16 selects the gzip wrapper; zlib writes mtime 0, so the
    // output depends on the input only.
    gzip_->open = deflateInit2(&gzip_->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                               Z_DEFAULT_STRATEGY) == Z_OK;
  }
  if (encoding_.format == StreamFormat::kJson) Emit("[");
}

StreamEncoder::~StreamEncoder() = default;

Status StreamEncoder::Emit(std::string_view text) {
  if (!gzip_) {
    body_.append(text);
    return Status::OK();
  }
  if (!gzip_->open) return Status::Internal("gzip: deflateInit2 failed");
  z_stream& zs = gzip_->zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  while (zs.avail_in > 0) {
    const size_t before = body_.size();
    body_.resize(before + 65536);
    zs.next_out = reinterpret_cast<Bytef*>(body_.data() + before);
    zs.avail_out = 65536;
    if (deflate(&zs, Z_NO_FLUSH) == Z_STREAM_ERROR) return Status::Internal("gzip: deflate failed");
    body_.resize(before + 65536 - zs.avail_out);
  }
  return Status::OK();
}

Status StreamEncoder::Add(std::string_view room_json) {
  if (room_json.size() > 0xFFFFFFFFu) return Status::ResourceExhausted("room struct too large");
  Status s;
  if (encoding_.format == StreamFormat::kJson) {
    if (rooms_ > 0) s = Emit(",");
    if (s.ok()) s = Emit(room_json);
  } else {
    s = Emit(room_json);
    if (s.ok()) s = Emit("\n");
  }
  if (s.ok()) ++rooms_;
  return s;
}

Status StreamEncoder::Finish(std::string* body) {
  Status s;
  if (encoding_.format == StreamFormat::kJson) s = Emit("]\n");
  if (!s.ok()) return s;
  if (gzip_) {
    if (!gzip_->open) return Status::Internal("gzip: deflateInit2 failed");
    z_stream& zs = gzip_->zs;
    zs.next_in = nullptr;
    zs.avail_in = 0;
    int rc;
    do {
      const size_t before = body_.size();
      body_.resize(before + 65536);
      zs.next_out = reinterpret_cast<Bytef*>(body_.data() + before);
      zs.avail_out = 65536;
      rc = deflate(&zs, Z_FINISH);
      body_.resize(before + 65536 - zs.avail_out);
      if (rc == Z_STREAM_ERROR) return Status::Internal("gzip: deflate failed");
    } while (rc != Z_STREAM_END);
  }
  *body = std::move(body_);
  return Status::OK();
}

Status EncodeStream(const std::vector<std::string>& room_jsons, const StreamEncoding& encoding,
                    std::string* body) {
  StreamEncoder encoder(encoding);
  for (const std::string& r : room_jsons) {
    Status s = encoder.Add(r);
    if (!s.ok()) return s;
  }
  return encoder.Finish(body);
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
