// Fuzzes the LZString decoder: any input must decode or fail cleanly, and the
// output limit must hold.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/lzstring.h"

namespace {

// Small, so that inputs which expand a lot hit the limit quickly.
constexpr size_t kMaxOutputBytes = 64 << 10;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string out;
  rtcstream::Status s = rtcstream::DecompressFromEncodedURIComponent(input, kMaxOutputBytes, &out);
  if (out.size() > kMaxOutputBytes) __builtin_trap();
  if (!s.ok() && !out.empty()) __builtin_trap();
  return 0;
}
