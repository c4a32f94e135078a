// Import throughput on the 16 rtcstats-server dumps of ../shared/fixtures
// (3.36 MB, 522 getstats entries) and on the webrtc-internals fixture, in
// process and from memory: format detection, dump parsing, getstats delta
// decoding, analysis (PeerState, exactly as `rtcstream import` runs it), room
// grouping and the room structs (RoomToJson). No SQLite writes: the history
// is not part of it.
//
// Throughput is counted in dump bytes (SetBytesProcessed);
// `getstats` is getstats entries decoded and analysed per second;
// `peak_rss_MB` is the benchmark process's peak resident set (VmHWM, the
// loaded dumps included). The legacy dump is read too and refused, as the
// command does.
//
//   BM_ImportRtcstatsDumps     the whole import of the 16 files, on one
//                              thread and on two (the files analysed in
//                              parallel, as `rtcstream import` does)
//   BM_ParseRtcstatsDumps      dump parsing alone (lines, header, identity,
//                              the legacy check)
//   BM_ImportWebrtcInternals   the webrtc-internals dump: series back into
//                              polls, then the same pipeline
//
//   make bench   (or: build-bench/import_bench)
//
// Reference: jitsi's rtcstats-server (Node.js) extracts its features from the
// same 16 files in about 47 ms (about 70 MB/s) on the development machines;
// BM_ImportRtcstatsDumps reports `vs_node`, how many times faster than that
// one import of the 16 files is (wall time per iteration).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/batch_memory.h"
#include "common/parallel_for.h"
#include "import/dump_file.h"
#include "import/dump_format.h"
#include "rooms/imported_peer.h"
#include "streams/room_json.h"
#include "streams/room_url.h"

namespace rtcstream {
namespace {

// The Node.js reference: rtcstats-server's feature extraction of the 16 files.
constexpr double kNodeReferenceMs = 47;

struct Dump {
  std::string path;
  std::string content;
};

std::vector<Dump> LoadDumps(const std::string& dir) {
  std::vector<Dump> dumps;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    Dump d{path, {}};
    if (!ReadDumpFile(path, kMaxDumpBytes, &d.content).ok()) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      continue;
    }
    dumps.push_back(std::move(d));
  }
  return dumps;
}

const std::vector<Dump>& RtcstatsDumps() {
  static const std::vector<Dump> dumps =
      LoadDumps(std::string(RTCSTREAM_SOURCE_DIR) + "/../shared/fixtures/rtcstats-dumps/dumps");
  return dumps;
}

const std::vector<Dump>& InternalsDumps() {
  static const std::vector<Dump> dumps = [] {
    std::vector<Dump> all =
        LoadDumps(std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/webrtc-internals");
    std::erase_if(all, [](const Dump& d) { return !d.path.ends_with(".json"); });
    return all;
  }();
  return dumps;
}

// What `rtcstream import` does with the files before it opens the history,
// with the files analysed on `threads` threads as the command does (--jobs).
// Returns the getstats entries analysed.
size_t ImportInMemory(const std::vector<Dump>& dumps, size_t threads, size_t* room_bytes) {
  std::vector<ImportedPeer> analysed(dumps.size());
  std::vector<size_t> getstats(dumps.size(), 0);
  std::vector<char> ok(dumps.size(), 0);
  std::vector<uint64_t> sizes;
  for (const Dump& d : dumps) sizes.push_back(d.content.size());
  ParallelForLargestFirst(sizes, threads, [&](size_t i) {
    ImportedTrace trace;
    if (!ParseDump(dumps[i].content, &trace).ok()) return;  // the legacy dump
    if (!AnalyzeImportedTrace(trace, dumps[i].path, {}, &analysed[i]).ok()) return;
    getstats[i] = trace.getstats_count;
    ok[i] = 1;
  });
  std::vector<ImportedPeer> peers;
  size_t total = 0;
  for (size_t i = 0; i < dumps.size(); ++i) {
    if (!ok[i]) continue;
    total += getstats[i];
    peers.push_back(std::move(analysed[i]));
  }
  for (const ImportedRoom& room : GroupImportedPeers(peers, 60000)) {
    *room_bytes += RoomToJson(room.record, RoomUrl("", room.record.room_id)).size();
  }
  return total;
}

// The process's peak resident set size in MB (VmHWM), or -1.
double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) * 1024 / 1e6;
  }
  return -1;
}

size_t TotalBytes(const std::vector<Dump>& dumps) {
  size_t bytes = 0;
  for (const Dump& d : dumps) bytes += d.content.size();
  return bytes;
}

// Returns the wall time of one import in ms.
double RunImport(benchmark::State& state, const std::vector<Dump>& dumps, size_t threads = 1) {
  if (dumps.empty()) {
    state.SkipWithError("fixtures not found");
    return 0;
  }
  KeepFreedMemoryForReuse();  // as `rtcstream import` does
  size_t getstats = 0, room_bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    getstats += ImportInMemory(dumps, threads, &room_bytes);
    benchmark::DoNotOptimize(room_bytes);
  }
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  state.SetBytesProcessed(static_cast<int64_t>(TotalBytes(dumps) * state.iterations()));
  state.counters["getstats"] =
      benchmark::Counter(static_cast<double>(getstats), benchmark::Counter::kIsRate);
  state.counters["files"] = static_cast<double>(dumps.size());
  state.counters["peak_rss_MB"] = PeakRssMb();
  return elapsed.count() / static_cast<double>(state.iterations());
}

void BM_ImportRtcstatsDumps(benchmark::State& state) {
  const double ms = RunImport(state, RtcstatsDumps(), static_cast<size_t>(state.range(0)));
  if (ms > 0) state.counters["vs_node"] = kNodeReferenceMs / ms;
}
// threads:1 is one core's speed; threads:2 is what `rtcstream import` does on
// a two-core machine (wall time, as the reference).
BENCHMARK(BM_ImportRtcstatsDumps)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_ParseRtcstatsDumps(benchmark::State& state) {
  const std::vector<Dump>& dumps = RtcstatsDumps();
  for (auto _ : state) {
    for (const Dump& d : dumps) {
      ImportedTrace trace;
      benchmark::DoNotOptimize(ParseDump(d.content, &trace).ok());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(TotalBytes(dumps) * state.iterations()));
}
BENCHMARK(BM_ParseRtcstatsDumps)->Unit(benchmark::kMillisecond);

void BM_ImportWebrtcInternals(benchmark::State& state) { RunImport(state, InternalsDumps()); }
BENCHMARK(BM_ImportWebrtcInternals)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rtcstream

BENCHMARK_MAIN();
