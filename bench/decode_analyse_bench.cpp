// The in-process hot path on real SDK traffic: every frame of a recorded call
// (tests/fixtures/sdk-recordings/) goes through wire decoding (LZString) and
// PeerState::FeedFrameJson (JSON parse, getstats delta decoding, analysis),
// one PeerState per SDK sessionId, exactly as Collector::OnFrame does. The
// history store, room grouping and the network are not part of it.
//
// Single thread, so every rate is per core. Throughput is counted in raw
// frame bytes as received (SetBytesProcessed); `getstats` and `tuples` are
// messages per second, `json_rate` the decompressed JSON bytes per second.
//
//   BM_DecodeAnalyse/<recording>  whole call, fresh PeerStates each iteration
//                                 (deltas need their baseline)
//   BM_AnalyseJson/<recording>    the same from already decompressed JSON:
//                                 throughput in JSON bytes
//   BM_WireOnly/<recording>       LZString decoding of the same frames alone
//   BM_SteadyState/<recording>    a long call: the getstats delta frames again
//                                 and again on PeerStates that saw the call
//   BM_SteadyStateManyPeers/<recording>/1000
//                                 the same with 1000 live peers, interleaved
//
//   make bench   (or: build-bench/decode_analyse_bench)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/percent_encoding.h"
#include "rooms/peer_state.h"
#include "sdk_recording.h"
#include "session/trace_decoder.h"
#include "wire/frame.h"

namespace rtcstream {
namespace {

// A recording prepared for timing: sessions, per-frame JSON and counts.
struct Workload {
  Recording recording;
  std::vector<std::string> session_ids;        // one per SDK session
  std::vector<std::string> user_agents;        // per session
  std::vector<size_t> session_of;              // per connection
  std::vector<std::string> connect_events;     // per connection: the "rtcstream:connect" data
  std::vector<double> connect_ts;              // per connection, client clock
  std::vector<std::vector<std::string>> json;  // per connection, per frame
  FrameCounts totals;                          // all frames
  size_t frame_bytes = 0;

  std::vector<FrameRef> steady;     // the getstats delta frames, in recorded order
  std::vector<size_t> prime_until;  // per connection: frames fed before the steady loop
  FrameCounts steady_totals;
  size_t steady_bytes = 0;
};

void Add(const FrameCounts& c, FrameCounts* total) {
  total->tuples += c.tuples;
  total->getstats += c.getstats;
  total->json_bytes += c.json_bytes;
}

Status Prepare(const std::string& name, Workload* w) {
  Status s = LoadRecording(RecordingPath(name), &w->recording);
  if (!s.ok()) return s;
  const Recording& r = w->recording;
  for (const RecordedConnection& c : r.connections) {
    const std::string sid = QueryParam(c.url, "sessionId");
    size_t index = 0;
    while (index < w->session_ids.size() && w->session_ids[index] != sid) ++index;
    if (index == w->session_ids.size()) {
      w->session_ids.push_back(sid);
      w->user_agents.push_back(c.user_agent);
    }
    w->session_of.push_back(index);
    // What Collector::Connect records, with the recorded client clock (no skew).
    const double ts = std::atof(QueryParam(c.url, "timestamp").c_str());
    JsonWriter event;
    event.BeginObject();
    event.Key("skewMs");
    event.Int(0);
    event.Key("serverMs");
    event.Int(static_cast<int64_t>(ts));
    event.Key("newConnection");
    event.Bool(QueryParam(c.url, "newConnection") != "false");
    event.Key("remoteAddress");
    event.String("127.0.0.1");
    event.EndObject();
    w->connect_events.push_back(event.Release());
    w->connect_ts.push_back(ts);

    std::vector<std::string> jsons;
    for (const RecordedFrame& f : c.frames) {
      DecodedFrame decoded;
      s = DecodeFrame(f.text, FrameLimits{}, &decoded);
      if (!s.ok()) return s;
      jsons.push_back(std::move(decoded.json));
    }
    w->json.push_back(std::move(jsons));

    const std::vector<size_t> steady = SteadyStateFrames(c);
    w->prime_until.push_back(steady.empty() ? c.frames.size() : steady.back() + 1);
  }
  for (const FrameRef& ref : r.order) {
    const RecordedFrame& f = r.connections[ref.connection].frames[ref.frame];
    FrameCounts counts;
    s = CountFrame(f.text, &counts);
    if (!s.ok()) return s;
    Add(counts, &w->totals);
    w->frame_bytes += f.text.size();
    if (counts.only_getstats && !counts.full_getstats) {
      w->steady.push_back(ref);
      Add(counts, &w->steady_totals);
      w->steady_bytes += f.text.size();
    }
  }
  return Status::OK();
}

// Fresh PeerStates for every session, each told of its connection as Connect does.
std::vector<std::unique_ptr<PeerState>> NewPeers(const Workload& w) {
  std::vector<std::unique_ptr<PeerState>> peers;
  for (size_t i = 0; i < w.session_ids.size(); ++i) {
    peers.push_back(std::make_unique<PeerState>(w.session_ids[i], w.user_agents[i]));
  }
  for (size_t c = 0; c < w.session_of.size(); ++c) {
    peers[w.session_of[c]]->RecordServerEvent(kServerConnectTuple, w.connect_events[c],
                                              w.connect_ts[c]);
  }
  return peers;
}

// What Collector::OnFrame does with one frame, minus the locks and room joining.
Status OnFrame(std::string_view frame, PeerState* peer, FrameDecodeResult* result) {
  DecodedFrame decoded;
  Status s = DecodeFrame(frame, FrameLimits{}, &decoded);
  if (!s.ok()) return s;
  return peer->FeedFrameJson(decoded.json, result);
}

// Feeds the whole recording once; fails on any rejected frame or tuple.
Status CheckAccepted(const Workload& w) {
  auto peers = NewPeers(w);
  for (const FrameRef& ref : w.recording.order) {
    FrameDecodeResult result;
    const std::string& text = w.recording.connections[ref.connection].frames[ref.frame].text;
    Status s = OnFrame(text, peers[w.session_of[ref.connection]].get(), &result);
    if (!s.ok()) return s;
    if (result.tuples_rejected > 0) return Status::Internal("a tuple was rejected");
  }
  return Status::OK();
}

void SetRates(benchmark::State& state, size_t bytes, const FrameCounts& counts) {
  const double n = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["getstats"] =
      benchmark::Counter(n * static_cast<double>(counts.getstats), benchmark::Counter::kIsRate);
  state.counters["tuples"] =
      benchmark::Counter(n * static_cast<double>(counts.tuples), benchmark::Counter::kIsRate);
  state.counters["json_rate"] =
      benchmark::Counter(n * static_cast<double>(counts.json_bytes), benchmark::Counter::kIsRate,
                         benchmark::Counter::kIs1024);
}

void BM_DecodeAnalyse(benchmark::State& state, const Workload* w) {
  size_t accepted = 0;
  for (auto _ : state) {
    auto peers = NewPeers(*w);
    for (const FrameRef& ref : w->recording.order) {
      FrameDecodeResult result;
      const std::string& text = w->recording.connections[ref.connection].frames[ref.frame].text;
      OnFrame(text, peers[w->session_of[ref.connection]].get(), &result);
      accepted += result.tuples_accepted;
    }
    benchmark::DoNotOptimize(accepted);
  }
  SetRates(state, w->frame_bytes, w->totals);
}

void BM_AnalyseJson(benchmark::State& state, const Workload* w) {
  size_t accepted = 0;
  for (auto _ : state) {
    auto peers = NewPeers(*w);
    for (const FrameRef& ref : w->recording.order) {
      FrameDecodeResult result;
      peers[w->session_of[ref.connection]]->FeedFrameJson(w->json[ref.connection][ref.frame],
                                                          &result);
      accepted += result.tuples_accepted;
    }
    benchmark::DoNotOptimize(accepted);
  }
  SetRates(state, w->totals.json_bytes, w->totals);
}

void BM_WireOnly(benchmark::State& state, const Workload* w) {
  for (auto _ : state) {
    for (const FrameRef& ref : w->recording.order) {
      DecodedFrame decoded;
      const std::string& text = w->recording.connections[ref.connection].frames[ref.frame].text;
      DecodeFrame(text, FrameLimits{}, &decoded);
      benchmark::DoNotOptimize(decoded.json.data());
    }
  }
  SetRates(state, w->frame_bytes, w->totals);
}

void BM_SteadyState(benchmark::State& state, const Workload* w) {
  // The call up to its last getstats delta sets up every baseline.
  auto peers = NewPeers(*w);
  for (const FrameRef& ref : w->recording.order) {
    if (ref.frame >= w->prime_until[ref.connection]) continue;
    FrameDecodeResult result;
    const std::string& text = w->recording.connections[ref.connection].frames[ref.frame].text;
    OnFrame(text, peers[w->session_of[ref.connection]].get(), &result);
  }
  size_t accepted = 0;
  for (auto _ : state) {
    for (const FrameRef& ref : w->steady) {
      FrameDecodeResult result;
      const std::string& text = w->recording.connections[ref.connection].frames[ref.frame].text;
      OnFrame(text, peers[w->session_of[ref.connection]].get(), &result);
      accepted += result.tuples_accepted;
    }
    // The collector's ticker takes the raw trace away twice a second.
    for (auto& peer : peers) benchmark::DoNotOptimize(peer->TakePendingTrace());
    benchmark::DoNotOptimize(accepted);
  }
  SetRates(state, w->steady_bytes, w->steady_totals);
}

// BM_SteadyState with `state.range(0)` live peers instead of the recording's
// few: copies of the call, their frames interleaved as a server receives them.
// The per-peer state no longer fits in the CPU caches, as on a busy server.
void BM_SteadyStateManyPeers(benchmark::State& state, const Workload* w) {
  const size_t copies =
      std::max<size_t>(1, static_cast<size_t>(state.range(0)) / w->session_ids.size());
  std::vector<std::vector<std::unique_ptr<PeerState>>> calls;
  for (size_t k = 0; k < copies; ++k) {
    calls.push_back(NewPeers(*w));
    for (const FrameRef& ref : w->recording.order) {
      if (ref.frame >= w->prime_until[ref.connection]) continue;
      FrameDecodeResult result;
      const std::string& text = w->recording.connections[ref.connection].frames[ref.frame].text;
      OnFrame(text, calls[k][w->session_of[ref.connection]].get(), &result);
    }
  }
  size_t accepted = 0;
  for (auto _ : state) {
    for (const FrameRef& ref : w->steady) {
      const std::string& text = w->recording.connections[ref.connection].frames[ref.frame].text;
      for (auto& peers : calls) {
        FrameDecodeResult result;
        OnFrame(text, peers[w->session_of[ref.connection]].get(), &result);
        accepted += result.tuples_accepted;
      }
    }
    for (auto& peers : calls) {
      for (auto& peer : peers) benchmark::DoNotOptimize(peer->TakePendingTrace());
    }
    benchmark::DoNotOptimize(accepted);
  }
  FrameCounts counts = w->steady_totals;
  counts.tuples *= copies;
  counts.getstats *= copies;
  counts.json_bytes *= copies;
  SetRates(state, w->steady_bytes * copies, counts);
  state.counters["peers"] = static_cast<double>(copies * w->session_ids.size());
}

}  // namespace
}  // namespace rtcstream

int main(int argc, char** argv) {
  static std::vector<std::unique_ptr<rtcstream::Workload>> workloads;
  for (const char* name : {"two-peer-call", "three-peer-mesh"}) {
    auto w = std::make_unique<rtcstream::Workload>();
    rtcstream::Status s = rtcstream::Prepare(name, w.get());
    if (s.ok()) s = rtcstream::CheckAccepted(*w);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, s.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr,
                 "%s: %zu sessions, %zu frames, %zu frame bytes, %zu JSON bytes, %zu tuples, "
                 "%zu getstats; steady state: %zu frames, %zu getstats\n",
                 name, w->session_ids.size(), w->recording.order.size(), w->frame_bytes,
                 w->totals.json_bytes, w->totals.tuples, w->totals.getstats, w->steady.size(),
                 w->steady_totals.getstats);
    workloads.push_back(std::move(w));
  }
  for (const auto& w : workloads) {
    const std::string& name = w->recording.name;
    const rtcstream::Workload* p = w.get();
    benchmark::RegisterBenchmark(("BM_DecodeAnalyse/" + name).c_str(),
                                 [p](benchmark::State& st) { rtcstream::BM_DecodeAnalyse(st, p); });
    benchmark::RegisterBenchmark(("BM_AnalyseJson/" + name).c_str(),
                                 [p](benchmark::State& st) { rtcstream::BM_AnalyseJson(st, p); });
    benchmark::RegisterBenchmark(("BM_WireOnly/" + name).c_str(),
                                 [p](benchmark::State& st) { rtcstream::BM_WireOnly(st, p); });
    benchmark::RegisterBenchmark(("BM_SteadyState/" + name).c_str(),
                                 [p](benchmark::State& st) { rtcstream::BM_SteadyState(st, p); });
    // Fixed iterations: setting up a thousand peers takes longer than one pass.
    benchmark::RegisterBenchmark(
        ("BM_SteadyStateManyPeers/" + name).c_str(),
        [p](benchmark::State& st) { rtcstream::BM_SteadyStateManyPeers(st, p); })
        ->Arg(100)
        ->Arg(1000)
        ->Iterations(2)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
