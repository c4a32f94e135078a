#include "sinks/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include "sinks/object_name.h"

namespace rtcstream {

namespace {

// Distinguishes the temporary files of concurrent Puts within one process;
// the pid distinguishes processes.
std::atomic<uint64_t> g_temp_counter{0};

std::string ErrnoText(int err) { return std::generic_category().message(err); }

Status IoError(const std::string& path, std::string_view op, int err) {
  return Status::IOError("write stream file " + path + ": " + std::string(op) + ": " +
                         ErrnoText(err));
}

// fsync on a directory makes the names created or renamed in it durable;
// without it a crash can lose a rename that had already returned.
Status SyncDirectory(const std::string& dir, const std::string& path) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return IoError(path, "open directory " + dir, err);
  }
  const int err = fsync(fd) == 0 ? 0 : errno;
  close(fd);
  if (err != 0) return IoError(path, "fsync directory " + dir, err);
  return Status::OK();
}

// Creates each missing directory of `relative_dir` under `root`.
Status MakeDirectories(const std::string& root, std::string_view relative_dir,
                       const std::string& path) {
  std::string dir = root;
  size_t start = 0;
  while (start < relative_dir.size()) {
    size_t slash = relative_dir.find('/', start);
    if (slash == std::string_view::npos) slash = relative_dir.size();
    const std::string parent = dir;
    dir += '/';
    dir.append(relative_dir.substr(start, slash - start));
    start = slash + 1;
    if (mkdir(dir.c_str(), 0777) == 0) {
      Status s = SyncDirectory(parent.empty() ? "/" : parent, path);
      if (!s.ok()) return s;
      continue;
    }
    const int err = errno;
    struct stat st;
    if (err != EEXIST) return IoError(path, "create directory " + dir, err);
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return IoError(path, "create directory " + dir, ENOTDIR);
    }
  }
  return Status::OK();
}

// Writes all of `body` to `fd`, retrying short writes and interruptions.
int WriteAll(int fd, std::string_view body) {
  // Writes above 1 GiB are split: Linux caps one write at about 2 GiB.
  constexpr size_t kMaxWrite = size_t{1} << 30;
  while (!body.empty()) {
    const ssize_t n = write(fd, body.data(), std::min(body.size(), kMaxWrite));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    body.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

Status FileSink::Create(const std::string& root, std::unique_ptr<FileSink>* sink) {
  if (root.empty()) return Status::InvalidArgument("file sink: empty directory");
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(root, ec);
  if (ec) {
    return Status::IOError("file sink: resolve directory " + root + ": " + ec.message());
  }
  absolute = absolute.lexically_normal();
  std::string dir = absolute.string();
  // "/data/streams/" and "/data/streams" must give the same locations.
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("file sink: create directory " + dir + ": " + ec.message());
  sink->reset(new FileSink(std::move(dir)));
  return Status::OK();
}

Status FileSink::Put(std::string_view name, std::string_view body, std::string_view content_type,
                     PutResult* result) {
  Status s = ValidateObjectName(name);
  if (!s.ok()) return s;
  // Names are joined with '/', so the file system root joins as "".
  const std::string prefix = root_ == "/" ? std::string() : root_;
  const std::string path = prefix + "/" + std::string(name);
  const size_t name_slash = name.rfind('/');
  const std::string_view relative_dir =
      name_slash == std::string_view::npos ? std::string_view() : name.substr(0, name_slash);
  const size_t path_slash = path.rfind('/');
  const std::string dir = path_slash == 0 ? std::string("/") : path.substr(0, path_slash);
  const std::string base = path.substr(path_slash + 1);

  s = MakeDirectories(prefix, relative_dir, path);
  if (!s.ok()) return s;

  // O_EXCL with a unique name: never write into a file someone else opened.
  // Mode 0666 lets the umask decide, as for any other file the service writes.
  const std::string temp = path.substr(0, path_slash) + "/." + base + "." +
                           std::to_string(getpid()) + "." +
                           std::to_string(g_temp_counter.fetch_add(1)) + ".tmp";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    return IoError(path, "create " + temp, err);
  }
  if (const int err = WriteAll(fd, body); err != 0) {
    s = IoError(path, "write " + temp, err);
  } else if (fsync(fd) != 0) {
    // The data must be on disk before the rename makes it visible, or a crash
    // could leave the new name pointing at an empty file.
    const int fsync_err = errno;
    s = IoError(path, "fsync " + temp, fsync_err);
  }
  if (close(fd) != 0 && s.ok()) {
    const int err = errno;
    s = IoError(path, "close " + temp, err);
  }
  if (s.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    s = IoError(path, "rename " + temp, err);
  }
  if (!s.ok()) {
    unlink(temp.c_str());
    return s;
  }
  s = SyncDirectory(dir, path);
  if (!s.ok()) return s;
  result->location = path;
  result->etag.clear();
  return Status::OK();
}

Status FileSink::Probe(std::string_view key_prefix, std::string* report) {
  const std::string name = std::string(key_prefix) + ".rtcstream-probe-" +
                           std::to_string(getpid()) + "-" +
                           std::to_string(g_temp_counter.fetch_add(1));
  *report = "file sink probe of " + root_ + "\n";
  PutResult result;
  Status s = Put(name, "{\"probe\":\"rtcstream\"}\n", "application/json", &result);
  if (!s.ok()) {
    *report += "1. write " + name + ": FAILED: " + s.ToString() + "\n";
    *report += "Probe failed at step 1 of 2 (write): the sink cannot write to " + root_ + "\n";
    return s;
  }
  *report += "1. write " + result.location + ": ok\n";
  if (unlink(result.location.c_str()) != 0) {
    const int err = errno;
    s = Status::IOError("remove probe file " + result.location + ": " + ErrnoText(err));
    *report += "2. remove " + result.location + ": FAILED: " + s.ToString() + "\n";
    *report += "Probe failed at step 2 of 2 (remove): writing works, but the probe file remains\n";
    return s;
  }
  *report += "2. remove " + result.location + ": ok\n";
  *report += "Probe passed: the sink can write to " + root_ + "\n";
  return Status::OK();
}

}  // namespace rtcstream
