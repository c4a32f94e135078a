// Sink: where data stream files go (a local folder, an S3 bucket, ...).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

// What a successful Put wrote.
struct PutResult {
  std::string location;  // where: an absolute path, or "s3://<bucket>/<key>"
  std::string etag;      // the object store's ETag, quotes included; "" for files
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Writes `body` under `name` (a relative path like "acme/20261123T100000Z_....json"),
  // replacing any previous object of that name. Readers never see a partial object.
  // `content_type` (e.g. "application/json") is stored with the object where the
  // sink keeps metadata; files ignore it. On success fills *result.
  virtual Status Put(std::string_view name, std::string_view body, std::string_view content_type,
                     PutResult* result) = 0;

  // Checks that the sink can write: writes a small probe object named
  // "<key_prefix>.rtcstream-probe-<random>" and removes it (under the prefix, so a
  // least-privilege policy on the prefix suffices). *report says, one line per
  // step, what was done and how it went, and on failure which step failed and
  // why; the Status is that step's error.
  virtual Status Probe(std::string_view key_prefix, std::string* report) = 0;
};

}  // namespace rtcstream
