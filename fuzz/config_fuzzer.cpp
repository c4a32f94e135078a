// Fuzzes the TOML configuration: LoadConfigFile (which reads a path) on the
// input held in a memory file, then ValidateConfig and the derived public URL.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "service/config.h"

namespace {

// One memory file for the whole run; each input replaces its content.
int ConfigFd() {
  static const int fd = memfd_create("rtcstream-fuzz-config", 0);
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // The "env:NAME" secrets of the documented examples and of the seeds.
  setenv("GLOBEX_S3_SECRET", "globex-secret", 0);
  setenv("ACME_S3_SECRET", "acme-secret", 0);
  setenv("RTCSTREAM_FUZZ_TOKEN", "token", 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtcstream;
  // "file:PATH" secrets read a file of this machine: a FIFO or a terminal would block.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.find("file:") != std::string_view::npos) return 0;

  const int fd = ConfigFd();
  if (fd < 0 || ftruncate(fd, 0) != 0) __builtin_trap();
  size_t written = 0;
  while (written < size) {
    const ssize_t n = pwrite(fd, data + written, size - written, written);
    if (n <= 0) __builtin_trap();
    written += static_cast<size_t>(n);
  }
  ServiceConfig config;
  if (!LoadConfigFile("/proc/self/fd/" + std::to_string(fd), &config).ok()) return 0;
  ValidateConfig(config);
  EffectivePublicUrl(config);
  for (const ProjectConfig& p : config.projects) {
    if (FindProject(&config, p.id) == nullptr) __builtin_trap();
  }
  return 0;
}
