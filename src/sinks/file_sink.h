// FileSink: data stream files in a local directory tree.
//
// For customers who collect files with their own shipper, or who mount object
// storage as a file system. Each Put replaces its file atomically (temporary
// file, fsync, rename, fsync of the directory), so a shipper polling the tree
// never reads a partial file, and a crash leaves either the old file or the
// new one. Temporary files are hidden (".name.<pid>.<n>.tmp") and live in the
// target's directory, because rename is only atomic within one file system.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "sinks/sink.h"

namespace rtcstream {

class FileSink final : public Sink {
 public:
  // Creates a sink rooted at `root`, creating the directory (and its parents)
  // if needed. A relative root is resolved against the working directory now,
  // so that locations stay valid if the process changes directory later.
  static Status Create(const std::string& root, std::unique_ptr<FileSink>* sink);

  // Writes <root>/<name>, creating subdirectories. `name` must be relative and
  // made of non-empty components other than "." and ".." (InvalidArgument
  // otherwise). result->location is the file's absolute path; result->etag is
  // "" (a file has no ETag; the collector records the body's SHA-256 itself).
  // `content_type` is ignored.
  Status Put(std::string_view name, std::string_view body, std::string_view content_type,
             PutResult* result) override;

  // Writes "<root>/.rtcstream-probe-<pid>-<n>" (hidden from shippers that skip
  // dot files) and removes it again.
  Status Probe(std::string_view key_prefix, std::string* report) override;

  // The absolute root directory.
  const std::string& root() const { return root_; }

 private:
  explicit FileSink(std::string root) : root_(std::move(root)) {}

  const std::string root_;
};

}  // namespace rtcstream
