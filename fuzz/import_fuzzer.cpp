// Fuzzes the dump importers (rtcstats-server and webrtc-internals dumps, plain
// or gzip) and the analysis of what they produce, as `rtcstream import` does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_checks.h"
#include "import/dump_file.h"
#include "import/dump_format.h"
#include "rooms/imported_peer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rtcstream;
  std::string_view content(reinterpret_cast<const char*>(data), size);
  std::string gunzipped;
  if (content.starts_with("\x1f\x8b")) {
    if (!GunzipDump(content, 4 << 20, &gunzipped).ok()) return 0;
    if (gunzipped.size() > (4 << 20)) __builtin_trap();
    content = gunzipped;
  }
  ImportedTrace trace;
  if (!ParseDump(content, &trace).ok()) return 0;
  ImportedPeer peer;
  if (!AnalyzeImportedTrace(trace, "/dumps/fuzz.json", "", &peer).ok()) return 0;
  CheckRecord(peer.record);
  return 0;
}
