#include "loadgen/load_run.h"

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "common/json_writer.h"
#include "common/percent_encoding.h"
#include "loadgen/sim_peer.h"

namespace rtcstream {

namespace net = boost::asio;

namespace {

// The first connection starts this long after the run begins.
constexpr auto kFirstConnect = std::chrono::milliseconds(100);

double Seconds(LoadClock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[i];
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Raises the open-file limit to what `peers` sockets need, if the hard limit allows.
Status EnsureFileLimit(int peers) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return Status::OK();
  const rlim_t needed = static_cast<rlim_t>(peers) + 64;
  if (limit.rlim_cur >= needed) return Status::OK();
  if (limit.rlim_max < needed) {
    return Status::ResourceExhausted("--peers " + std::to_string(peers) +
                                     " needs more open files than the hard limit of " +
                                     std::to_string(limit.rlim_max));
  }
  limit.rlim_cur = needed;
  setrlimit(RLIMIT_NOFILE, &limit);
  return Status::OK();
}

void WriteRates(JsonWriter* w, double seconds, uint64_t frames, uint64_t tuples, uint64_t getstats,
                uint64_t bytes) {
  const double s = seconds > 0 ? seconds : 1;
  w->Key("seconds");
  w->Number(seconds, 3);
  w->Key("frames_per_s");
  w->Number(static_cast<double>(frames) / s, 1);
  w->Key("tuples_per_s");
  w->Number(static_cast<double>(tuples) / s, 1);
  w->Key("getstats_per_s");
  w->Number(static_cast<double>(getstats) / s, 1);
  w->Key("mb_per_s");
  w->Number(static_cast<double>(bytes) / s / 1e6, 3);
}

}  // namespace

LoadRun::LoadRun(LoadOptions options, std::vector<ConnectionScript> scripts)
    : options_(std::move(options)),
      scripts_(std::move(scripts)),
      strand_(net::make_strand(ioc_)),
      stop_timer_(strand_),
      progress_timer_(strand_),
      deadline_timer_(strand_),
      warmup_timer_(strand_) {}

LoadRun::~LoadRun() = default;

LoadRun::Snapshot LoadRun::Take() const {
  Snapshot s;
  s.t_s = Seconds(LoadClock::now() - start_);
  s.frames = counters_.frames.load();
  s.tuples = counters_.tuples.load();
  s.getstats = counters_.getstats.load();
  s.bytes = counters_.bytes.load();
  return s;
}

void LoadRun::OnHandshakeDone(int index, bool ok, double ms) {
  if (ok) connect_ms_[static_cast<size_t>(index)] = ms;
  if (++counters_.handshakes_done == options_.peers) {
    std::lock_guard<std::mutex> lock(mu_);
    if (warm_) window_start_ = Take();
  }
}

void LoadRun::OnClosed() {
  std::lock_guard<std::mutex> lock(mu_);
  last_close_s_ = std::max(last_close_s_, Seconds(LoadClock::now() - start_));
}

void LoadRun::OnPeerFinished() {
  if (--unfinished_ > 0) return;
  // Everyone is done: nothing may keep the I/O threads waiting.
  net::post(strand_, [this] {
    stop_timer_.cancel();
    progress_timer_.cancel();
    deadline_timer_.cancel();
    warmup_timer_.cancel();
  });
}

void LoadRun::Progress() {
  const Snapshot now = Take();
  Snapshot before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_progress_) before = *last_progress_;
    last_progress_ = now;
  }
  const double dt = now.t_s - before.t_s;
  const LoadCounters& c = counters_;
  const int errors = c.connect_errors + c.handshake_errors + c.rejected + c.write_errors +
                     c.closed_by_server + c.close_errors;
  std::fprintf(stderr,
               "loadgen t=%.0fs connected=%d/%d frames/s=%.0f tuples/s=%.0f getstats/s=%.0f "
               "errors=%d\n",
               now.t_s, c.connected.load(), options_.peers,
               static_cast<double>(now.frames - before.frames) / dt,
               static_cast<double>(now.tuples - before.tuples) / dt,
               static_cast<double>(now.getstats - before.getstats) / dt, errors);
  progress_timer_.expires_after(
      std::chrono::milliseconds(static_cast<int64_t>(options_.progress_s * 1000)));
  progress_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Progress();
  });
}

Status LoadRun::Run(std::string* report) {
  boost::system::error_code ec;
  endpoint_ = net::ip::tcp::endpoint(net::ip::make_address(options_.host, ec), options_.port);
  if (ec) return Status::InvalidArgument("invalid host " + options_.host);
  Status s = EnsureFileLimit(options_.peers);
  if (!s.ok()) return s;

  const int room_size =
      options_.room_size > 0 ? options_.room_size : static_cast<int>(scripts_.size());
  // Session and room ids unique to this run, so that a collector that kept its
  // history from an earlier run sees new peers.
  const std::string run_id = std::to_string(getpid()) + "-" +
                             std::to_string(LoadClock::now().time_since_epoch().count() % 1000000);
  start_ = LoadClock::now();
  stop_at_ = start_ + std::chrono::milliseconds(static_cast<int64_t>(options_.duration_s * 1000));
  send_from_ = start_ + kFirstConnect +
               std::chrono::duration_cast<LoadClock::duration>(std::chrono::duration<double>(
                   static_cast<double>(options_.peers) / options_.connect_rate));
  if (options_.mode == PaceMode::kReplay) send_from_ = start_;
  connect_ms_.assign(static_cast<size_t>(options_.peers), -1);
  unfinished_ = options_.peers;
  for (int i = 0; i < options_.peers; ++i) {
    const ConnectionScript& script = scripts_[static_cast<size_t>(i % room_size) % scripts_.size()];
    const std::string room_id = "load-" + run_id + "-room-" + std::to_string(i / room_size);
    const std::string peer_id =
        (script.peer_id.empty() ? std::string("peer") : script.peer_id) + "-" + std::to_string(i);
    const std::string session_id = "load-" + run_id + "-" + std::to_string(i);
    const std::string target = "/?apiKey=" + PercentEncode(options_.api_key) +
                               "&timestamp=" + script.client_timestamp +
                               "&apiVersion=v1&sessionId=" + session_id + "&newConnection=true";
    std::vector<std::pair<size_t, std::string>> overrides;
    for (size_t f = 0; f < script.frames.size(); ++f) {
      if (!script.frames[f].watchrtc) continue;
      std::string text;
      s = RewriteWatchrtc(script.frames[f].text, room_id, peer_id, options_.api_key, &text);
      if (!s.ok()) return s;
      overrides.emplace_back(f, std::move(text));
    }
    const auto start_at =
        start_ + kFirstConnect +
        std::chrono::duration_cast<LoadClock::duration>(
            std::chrono::duration<double>(static_cast<double>(i) / options_.connect_rate));
    peers_.push_back(
        std::make_shared<SimPeer>(ioc_, this, &script, i, target, std::move(overrides), start_at));
  }
  for (auto& peer : peers_) peer->Start();

  warmup_timer_.expires_at(
      send_from_ + std::chrono::milliseconds(static_cast<int64_t>(options_.warmup_s * 1000)));
  warmup_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    std::lock_guard<std::mutex> lock(mu_);
    warm_ = true;
    if (counters_.handshakes_done == options_.peers) window_start_ = Take();
  });
  stop_timer_.expires_at(stop_at_);
  stop_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    std::lock_guard<std::mutex> lock(mu_);
    at_stop_ = Take();
  });
  // However the server behaves, the run ends: sending stops at --duration and
  // the closing handshakes get --drain-timeout (plus a margin) at most.
  deadline_timer_.expires_at(stop_at_ + std::chrono::milliseconds(static_cast<int64_t>(
                                            options_.drain_timeout_s * 1000 + 5000)));
  deadline_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      deadline_hit_ = true;
    }
    ioc_.stop();
  });
  if (options_.progress_s > 0) {
    last_progress_ = Take();
    progress_timer_.expires_after(
        std::chrono::milliseconds(static_cast<int64_t>(options_.progress_s * 1000)));
    progress_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) Progress();
    });
  }

  std::vector<std::thread> extra;
  for (int t = 1; t < options_.threads; ++t) extra.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : extra) t.join();
  *report = Report(ProcessCpuSeconds());
  return Status::OK();
}

std::string LoadRun::Report(double client_cpu_s) const {
  std::lock_guard<std::mutex> lock(mu_);
  const LoadCounters& c = counters_;
  const Snapshot end = Take();
  JsonWriter w;
  w.BeginObject();
  w.Key("mode");
  w.String(options_.mode == PaceMode::kLoop ? "loop" : "replay");
  w.Key("recording");
  w.String(options_.recording);
  w.Key("peers");
  w.Int(options_.peers);
  w.Key("room_size");
  w.Int(options_.room_size > 0 ? options_.room_size : static_cast<int64_t>(scripts_.size()));
  w.Key("duration_s");
  w.Number(options_.duration_s, 3);
  w.Key("speedup");
  w.Number(options_.speedup, 3);
  w.Key("threads");
  w.Int(options_.threads);
  if (options_.mode == PaceMode::kLoop) {
    w.Key("window");
    w.Int(options_.window);
  }
  w.Key("connected");
  w.Int(c.connected);
  w.Key("closed_cleanly");
  w.Int(c.closed);
  w.Key("errors");
  w.BeginObject();
  const std::pair<const char*, int> errors[] = {{"connect", c.connect_errors},
                                                {"handshake", c.handshake_errors},
                                                {"rejected", c.rejected},
                                                {"write", c.write_errors},
                                                {"closed_by_server", c.closed_by_server},
                                                {"close", c.close_errors},
                                                {"not_started", c.not_started},
                                                {"unfinished", unfinished_.load()}};
  int total_errors = 0;
  for (const auto& [name, count] : errors) {
    w.Key(name);
    w.Int(count);
    total_errors += count;
  }
  w.Key("total");
  w.Int(total_errors);
  w.EndObject();
  std::vector<double> connect_ms;
  for (double ms : connect_ms_) {
    if (ms >= 0) connect_ms.push_back(ms);
  }
  w.Key("connect_ms");
  w.BeginObject();
  w.Key("p50");
  w.Number(Percentile(connect_ms, 0.5), 2);
  w.Key("p99");
  w.Number(Percentile(connect_ms, 0.99), 2);
  w.Key("max");
  w.Number(Percentile(connect_ms, 1), 2);
  w.EndObject();
  // After the warm-up, with every peer connected, until the stop time. In
  // loop mode each peer keeps its window of frames in flight all along, so the
  // rate they are sent at is the rate the server reads them at.
  w.Key("sustained");
  w.BeginObject();
  if (window_start_ && at_stop_ && at_stop_->t_s > window_start_->t_s) {
    const Snapshot& a = *window_start_;
    const Snapshot& b = *at_stop_;
    w.Key("from_s");
    w.Number(a.t_s, 3);
    WriteRates(&w, b.t_s - a.t_s, b.frames - a.frames, b.tuples - a.tuples, b.getstats - a.getstats,
               b.bytes - a.bytes);
  }
  w.EndObject();
  // Everything sent, over the time until the last closing handshake: the
  // server answers a close only after the frames before it, so this is the
  // rate the server took the frames at, including the ramp-up.
  w.Key("end_to_end");
  w.BeginObject();
  w.Key("frames");
  w.Int(static_cast<int64_t>(end.frames));
  w.Key("tuples");
  w.Int(static_cast<int64_t>(end.tuples));
  w.Key("getstats");
  w.Int(static_cast<int64_t>(end.getstats));
  w.Key("bytes");
  w.Int(static_cast<int64_t>(end.bytes));
  WriteRates(&w, last_close_s_, end.frames, end.tuples, end.getstats, end.bytes);
  w.EndObject();
  // How long after the stop time the last close completed: the server's backlog.
  w.Key("drain_s");
  w.Number(last_close_s_ > 0 ? std::max(0.0, last_close_s_ - options_.duration_s) : 0, 3);
  w.Key("deadline_hit");
  w.Bool(deadline_hit_);
  w.Key("client_cpu_s");
  w.Number(client_cpu_s, 3);
  w.Key("wall_s");
  w.Number(end.t_s, 3);
  w.EndObject();
  return w.Release();
}

}  // namespace rtcstream
