// Decode throughput of the LZString port on the fixture vectors. Throughput
// is counted in decompressed (JSON) bytes, the amount of work the collector
// gets out of each frame; the input rate is reported as a counter.
//
//   cmake -B build-bench -DCMAKE_BUILD_TYPE=Release -DRTCSTREAM_BENCH=ON
//   cmake --build build-bench --target lzstring_bench && build-bench/lzstring_bench
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "wire/lzstring.h"

namespace rtcstream {
namespace {

struct Vector {
  std::string name;
  std::string compressed;
  size_t plain_bytes = 0;
};

// Loads the vectors worth timing: the SDK batches and the larger texts.
bool LoadVectors(std::vector<Vector>* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array vectors;
  const std::string path =
      std::string(RTCSTREAM_SOURCE_DIR) + "/tests/fixtures/lzstring/vectors.json";
  if (parser.load(path).get(root) || root["vectors"].get(vectors)) {
    std::fprintf(stderr, "cannot load %s\n", path.c_str());
    return false;
  }
  for (simdjson::dom::element v : vectors) {
    std::string_view name, compressed;
    if (v["name"].get(name) || v["compressed"].get(compressed)) return false;
    const bool wanted = name.substr(0, 4) == "sdk_" || name == "repetitive_100k" ||
                        name == "random_unicode" || name == "bomb_1m_a";
    if (!wanted) continue;
    Vector vector{std::string(name), std::string(compressed), 0};
    // The plain size comes from decoding: plain_repeat vectors have no text.
    std::string plain;
    if (!DecompressFromEncodedURIComponent(compressed, size_t{1} << 30, &plain).ok()) return false;
    vector.plain_bytes = plain.size();
    out->push_back(std::move(vector));
  }
  return !out->empty();
}

void Decode(benchmark::State& state, const std::vector<const Vector*>& vectors) {
  std::string out;
  size_t plain = 0;
  size_t compressed = 0;
  for (const Vector* v : vectors) {
    plain += v->plain_bytes;
    compressed += v->compressed.size();
  }
  for (auto _ : state) {
    for (const Vector* v : vectors) {
      Status s = DecompressFromEncodedURIComponent(v->compressed, size_t{1} << 30, &out);
      benchmark::DoNotOptimize(out.data());
      if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * plain));
  state.counters["input_rate"] =
      benchmark::Counter(static_cast<double>(state.iterations() * compressed),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

}  // namespace
}  // namespace rtcstream

int main(int argc, char** argv) {
  static std::vector<rtcstream::Vector> vectors;
  if (!rtcstream::LoadVectors(&vectors)) return 1;

  // All SDK batches in one loop: the realistic mix of frame sizes.
  std::vector<const rtcstream::Vector*> sdk;
  for (const auto& v : vectors) {
    if (v.name.substr(0, 4) == "sdk_") sdk.push_back(&v);
  }
  benchmark::RegisterBenchmark("BM_Decode/sdk_mix",
                               [sdk](benchmark::State& state) { rtcstream::Decode(state, sdk); });
  for (const auto& v : vectors) {
    const std::string name = "BM_Decode/" + v.name;
    benchmark::RegisterBenchmark(name.c_str(),
                                 [&v](benchmark::State& state) { rtcstream::Decode(state, {&v}); });
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
