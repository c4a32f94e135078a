// Sink: where data stream files go (a local folder, an S3 bucket, ...).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace rtcstream {

class Sink {
 public:
  virtual ~Sink() = default;

  // Writes `body` under `name` (a relative path like "acme/20261123T100000Z_....json"),
  // replacing any previous object of that name. Readers never see a partial object.
  // On success sets *location to where it was written (a path or URL).
  virtual Status Put(std::string_view name, std::string_view body, std::string* location) = 0;
};

}  // namespace rtcstream
