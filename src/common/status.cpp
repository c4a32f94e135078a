#include "common/status.h"

namespace rtcstream {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      name = "Invalid argument";
      break;
    case Code::kNotFound:
      name = "Not found";
      break;
    case Code::kPermissionDenied:
      name = "Permission denied";
      break;
    case Code::kResourceExhausted:
      name = "Limit exceeded";
      break;
    case Code::kIOError:
      name = "IO error";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kUnavailable:
      name = "Unavailable";
      break;
    case Code::kInternal:
      name = "Internal error";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace rtcstream
