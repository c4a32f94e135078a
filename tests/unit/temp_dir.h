// TempDir: a fresh directory for one test, removed with everything in it at
// the end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace rtcstream {

class TempDir {
 public:
  // Creates /tmp/<prefix>.XXXXXX; path() is empty when that failed.
  explicit TempDir(const std::string& prefix = "rtcstream_test") {
    std::string pattern = "/tmp/" + prefix + ".XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace rtcstream
