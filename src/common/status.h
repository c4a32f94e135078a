// Status: the result of an operation that can fail, in the style of LevelDB.
// A Status is either OK or carries a code and a human-readable message that
// says precisely what went wrong. Functions return Status instead of throwing.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rtcstream {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // malformed input from a client or a user
    kNotFound,
    kPermissionDenied,   // wrong API key or token
    kResourceExhausted,  // a limit was hit (frame size, decompressed size, ...)
    kIOError,
    kCorruption,   // stored data that cannot be read back
    kUnavailable,  // a remote endpoint is down; worth retrying
    kInternal,
  };

  // Creates an OK status.
  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status PermissionDenied(std::string msg) {
    return Status(Code::kPermissionDenied, std::move(msg));
  }
  static Status ResourceExhausted(std::string msg) {
    return Status(Code::kResourceExhausted, std::move(msg));
  }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns "OK" or "<code name>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace rtcstream
