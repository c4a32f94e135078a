#include "analysis/peer_analyzer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "analysis/audio_codec.h"
#include "analysis/counter_delta.h"
#include "analysis/mos.h"
#include "analysis/score.h"
#include "analysis/selected_pair.h"
#include "analysis/stream_counters.h"
#include "analysis/video_mos.h"

namespace rtcstream {

namespace {

// A longer gap between two samples of a stream (a suspended tab, a frozen
// laptop) says nothing about the rate while media flowed: no bitrate from it.
constexpr double kMaxGapMs = 10 * 60 * 1000;

// A figure that overflowed is unknown: stats values near the largest double, or
// times a denormal apart, are garbage, not a measurement.
std::optional<double> Finite(std::optional<double> figure) {
  if (figure && !std::isfinite(*figure)) return std::nullopt;
  return figure;
}

// The report's own time. The decoder restores the SDK's "timestamp: 0"
// shorthand, but a report without any timestamp falls back to the sample's.
double ReportTime(const StatsReport& report, const StatsSnapshot& snapshot) {
  const std::optional<double> ts = GetNumber(report, StatField::kTimestamp);
  return ts && *ts > 0 ? *ts : snapshot.timestamp_ms;
}

// The time of a report sample, as ReportTime gave it when the sample was read.
// A time of 0 or less is that of a snapshot without one, so it falls back to
// the current snapshot's, as ReportTime would.
double SampleTime(const StreamCounters& counters, const StatsSnapshot& snapshot) {
  return counters.time_ms > 0 ? counters.time_ms : snapshot.timestamp_ms;
}

bool SameSsrcAndKind(const StatsSnapshot& snapshot, const StatsReport& a, const StatsReport& b) {
  const std::optional<double> ssrc = GetNumber(a, StatField::kSsrc);
  return ssrc && ssrc == GetNumber(b, StatField::kSsrc) &&
         ReportKind(snapshot, a) == ReportKind(snapshot, b);
}

// An outbound stream's packetsSent at time `t_ms`: interpolated between its
// previous and current samples, clamped to them; the current count without a
// usable previous sample. nullopt when the stream has no packetsSent.
std::optional<double> SentAt(const StreamCounters* previous, const StreamCounters& current,
                             const StatsSnapshot& snapshot, double t_ms) {
  const std::optional<double> now = current.packets_sent;
  if (!now) return std::nullopt;
  const double t1 = SampleTime(current, snapshot);
  if (previous == nullptr || t_ms >= t1) return now;
  const std::optional<double> before = previous->packets_sent;
  const double t0 = SampleTime(*previous, snapshot);
  if (!before || *before > *now || t1 <= t0) return now;
  if (t_ms <= t0) return before;
  return *before + (*now - *before) * (t_ms - t0) / (t1 - t0);
}

// The frame rate of a video stream: `framesPerSecond` when the browser gives
// it, else `frames` counted over `dt_ms`.
double FrameRate(const StatsReport& current, std::optional<double> frames, double dt_ms) {
  if (std::optional<double> fps = GetNumber(current, StatField::kFramesPerSecond)) return *fps;
  if (!frames || dt_ms <= 0) return 0;
  return *frames * 1000 / dt_ms;
}

// Whether a remote-inbound-rtp sample carries a new RTT measurement (the
// browser repeats the last one, or sends null, until an RTCP report arrives).
bool IsNewRttMeasurement(const StreamCounters* previous, const StreamCounters& current) {
  if (std::optional<double> count = current.round_trip_time_measurements) {
    if (previous == nullptr) return *count > 0;
    const std::optional<double> before = previous->round_trip_time_measurements;
    return *count > 0 && (!before || *count != *before);
  }
  if (previous == nullptr) return true;
  const std::optional<double> total = current.total_round_trip_time;
  const std::optional<double> total_before = previous->total_round_trip_time;
  if (total && total_before && *total > *total_before) return true;
  return previous->round_trip_time != current.round_trip_time;
}

// The audio MOS of one direction (docs/metrics.md, section 7). Unknown inputs
// count as 0; the jitter buffer, when unknown, as twice the jitter.
double DirectionAudioMos(std::optional<double> rtt, std::optional<double> jitter_buffer,
                         std::optional<double> jitter, std::optional<double> packet_loss,
                         std::optional<AudioCodec> codec) {
  AudioMosInput in;
  in.rtt_ms = rtt.value_or(0);
  in.jitter_buffer_ms = jitter_buffer.value_or(2 * jitter.value_or(0));
  in.packet_loss_pct = packet_loss.value_or(0);
  in.codec = codec.value_or(AudioCodec::kOpusFec);
  return AudioMos(in);
}

// The round trip of a new measurement: `roundTripTime`, else the mean of the
// measurements since the previous sample. The SDK sends `roundTripTime: null`
// while no RTCP report arrives, and leaves the field out of its delta when the
// next measurement equals the last one it read, so a new measurement can come
// with the null still in place.
std::optional<double> NewRtt(const StreamCounters* previous, const StreamCounters& current) {
  if (std::optional<double> rtt = current.round_trip_time) return rtt;
  if (previous == nullptr) return std::nullopt;
  const std::optional<double> total =
      CounterDelta(previous->total_round_trip_time, current.total_round_trip_time);
  const std::optional<double> count =
      CounterDelta(previous->round_trip_time_measurements, current.round_trip_time_measurements);
  if (!total || !count || *count <= 0) return std::nullopt;
  return *total / *count;
}

}  // namespace

struct PeerAnalyzer::Sample {
  const StatsSnapshot& snapshot;
  PcState& pc;
  // Time since the pc's previous sample; 0 when unknown.
  double gap_ms = 0;

  // The counters of the previous sample of report `id`, or nullptr for its
  // first one.
  const StreamCounters* Previous(std::string_view id) const {
    auto it = pc.previous.find(id);
    return it == pc.previous.end() ? nullptr : &it->second.counters;
  }

  // How long a stream that advanced between `previous` and `current` was
  // active: the time between its two samples, but no more than the time
  // between the pc's two samples. The SDK leaves a report out of a delta when
  // nothing but its timestamp changed, so a stream that sat idle keeps an old
  // timestamp; whatever it sent since then was sent during the last interval.
  double ActiveMs(const StreamCounters& previous, const StreamCounters& current) const {
    const double dt = SampleTime(current, snapshot) - SampleTime(previous, snapshot);
    return gap_ms > 0 ? std::min(dt, gap_ms) : dt;
  }

  // Whether `current` is a newer sample than `previous`; a report whose
  // timestamp did not advance repeats old values and is skipped.
  bool Advanced(const StreamCounters& previous, const StreamCounters& current) const {
    return SampleTime(current, snapshot) > SampleTime(previous, snapshot);
  }
};

void PeerAnalyzer::OnStats(std::string_view pc_id, const StatsSnapshot& snapshot) {
  ++samples_;
  auto it = pcs_.find(pc_id);
  if (it == pcs_.end()) {
    it = pcs_.emplace(std::string(pc_id), PcState{}).first;
    pc_order_.emplace_back(pc_id);
  }
  PcState& pc = it->second;
  Sample s{snapshot, pc};
  if (pc.last_snapshot_ms > 0 && snapshot.timestamp_ms > pc.last_snapshot_ms) {
    s.gap_ms = snapshot.timestamp_ms - pc.last_snapshot_ms;
  }

  sample_pair_rtt_ms_.reset();
  for (auto& row : acc_) {
    for (DirectionAccumulator& acc : row) acc.BeginSample();
  }
  CollectReports(s);
  for (const RtpReport& rtp : rtp_) {
    // Pre-2019 Firefox remote reports.
    if (GetBool(*rtp.report, StatField::kIsRemote) == true) continue;
    if (rtp.type == ReportType::kOutboundRtp) {
      OnOutbound(s, rtp);
    } else if (rtp.type == ReportType::kInboundRtp) {
      OnInbound(s, rtp);
    } else {
      OnRemoteInbound(s, rtp);
    }
  }
  const std::optional<SelectedPair> pair =
      FindSelectedPair(snapshot, transports_, candidate_pairs_);
  OnSelectedPair(s, pair);
  DirectionSample samples[2][2];
  for (int k = 0; k < 2; ++k) {
    for (int d = 0; d < 2; ++d) {
      samples[k][d] = acc_[k][d].EndSample(pc_id);
      // Like the summary: a direction that never carried media has no figures.
      if (!acc_[k][d].HasMedia()) samples[k][d] = DirectionSample{};
    }
  }
  FillSampleRtt(samples);
  FillSampleMos(samples);
  const double t = std::isfinite(snapshot.timestamp_ms) ? snapshot.timestamp_ms : 0;
  series_.Append(std::llround(std::clamp(t, 0.0, static_cast<double>(kMaxEpochMs))), pc_id,
                 samples);

  KeepAsPrevious(s, pair);
  rtp_.clear();
  transports_.clear();
  candidate_pairs_.clear();
  if (snapshot.timestamp_ms > 0) pc.last_snapshot_ms = snapshot.timestamp_ms;
}

PeerAnalyzer::ReportType PeerAnalyzer::TypeOf(const StatsReport& report) {
  const std::optional<std::string_view> type = GetString(report, StatField::kType);
  if (!type) return ReportType::kOther;
  const std::string_view name = *type;
  if (name == "outbound-rtp") return ReportType::kOutboundRtp;
  if (name == "inbound-rtp") return ReportType::kInboundRtp;
  if (name == "remote-inbound-rtp") return ReportType::kRemoteInboundRtp;
  if (name == "transport") return ReportType::kTransport;
  if (name == "candidate-pair") return ReportType::kCandidatePair;
  return ReportType::kOther;
}

void PeerAnalyzer::CollectReports(const Sample& s) {
  // The lists are empty: OnStats clears them after each sample.
  for (const auto& [id, report] : s.snapshot.reports) {
    const ReportType type = TypeOf(report);
    if (type == ReportType::kOther) continue;
    if (type == ReportType::kTransport) {
      transports_.push_back({id, &report});
      continue;
    }
    if (type == ReportType::kCandidatePair) {
      candidate_pairs_.push_back({id, &report});
      continue;
    }
    auto kept = s.pc.previous.find(id);
    rtp_.emplace_back(id, report, type, ReportTime(report, s.snapshot),
                      kept == s.pc.previous.end() ? nullptr : &kept->second);
  }
}

void PeerAnalyzer::KeepAsPrevious(const Sample& s, const std::optional<SelectedPair>& pair) {
  // Reports kept from this sample are marked with it; the others went away, or
  // are no longer RTP reports or the selected pair, and are dropped, so memory
  // follows the live reports.
  for (const RtpReport& rtp : rtp_) {
    PreviousSample* kept = rtp.kept;
    if (kept == nullptr) kept = &s.pc.previous.try_emplace(std::string(rtp.id)).first->second;
    *kept = PreviousSample{rtp.counters, samples_};
  }
  if (pair) {
    auto it = s.pc.previous.find(pair->id);
    if (it == s.pc.previous.end()) it = s.pc.previous.try_emplace(std::string(pair->id)).first;
    it->second = PreviousSample{
        ReadStreamCounters(*pair->report, ReportTime(*pair->report, s.snapshot)), samples_};
  }
  std::erase_if(s.pc.previous, [&](const auto& entry) { return entry.second.sample != samples_; });
  std::erase_if(s.pc.sent_at_remote_report,
                [&](const auto& entry) { return s.snapshot.Find(entry.first) == nullptr; });
}

const StreamCounters* PeerAnalyzer::OnRtp(const Sample& s, const RtpReport& rtp, MediaKind kind,
                                          Direction direction, StreamCounter bytes_counter,
                                          StreamCounter frames_counter) {
  const StatsReport& report = *rtp.report;
  DirectionAccumulator& acc = Acc(kind, direction);
  if (kind == MediaKind::kAudio) {
    if (std::optional<AudioCodec> codec = AudioCodecOf(s.snapshot, report)) {
      acc.SetAudioCodec(*codec);
    }
  }
  const StreamCounters* previous = rtp.previous();
  const StreamCounters& current = rtp.counters;
  if (previous == nullptr || !s.Advanced(*previous, current)) return nullptr;

  const double now = SampleTime(current, s.snapshot);
  const double dt = s.ActiveMs(*previous, current);
  const std::optional<double> bytes =
      CounterDelta(previous->*bytes_counter, current.*bytes_counter);
  if (bytes && *bytes > 0 && dt <= kMaxGapMs) {
    acc.AddBytes(*bytes, now - dt, now);
    if (kind == MediaKind::kVideo) {
      const std::optional<double> frames =
          CounterDelta(previous->*frames_counter, current.*frames_counter);
      acc.AddVideoStream(GetNumber(report, StatField::kFrameWidth).value_or(0),
                         GetNumber(report, StatField::kFrameHeight).value_or(0),
                         FrameRate(report, frames, dt), dt);
    }
  }
  return previous;
}

void PeerAnalyzer::OnOutbound(const Sample& s, const RtpReport& rtp) {
  const std::optional<MediaKind> kind = ReportKind(s.snapshot, *rtp.report);
  if (!kind) return;
  OnRtp(s, rtp, *kind, Direction::kSend, &StreamCounters::bytes_sent,
        &StreamCounters::frames_encoded);
}

void PeerAnalyzer::OnInbound(const Sample& s, const RtpReport& rtp) {
  const std::optional<MediaKind> kind = ReportKind(s.snapshot, *rtp.report);
  if (!kind) return;
  const StreamCounters* previous =
      OnRtp(s, rtp, *kind, Direction::kRecv, &StreamCounters::bytes_received,
            &StreamCounters::frames_decoded);
  if (previous == nullptr) return;
  const StreamCounters& current = rtp.counters;
  DirectionAccumulator& acc = Acc(*kind, Direction::kRecv);
  const double received =
      CounterDelta(previous->packets_received, current.packets_received).value_or(0);
  const double lost = CounterDelta(previous->packets_lost, current.packets_lost).value_or(0);
  acc.AddExpectedPackets(received + lost);
  acc.AddLostPackets(lost);
  // An idle stream reports a stale jitter figure; only active ones count.
  if (received <= 0) return;
  if (std::optional<double> jitter = GetNumber(*rtp.report, StatField::kJitter))
    acc.AddJitter(*jitter * 1000);
  const std::optional<double> delay =
      CounterDelta(previous->jitter_buffer_delay, current.jitter_buffer_delay);
  const std::optional<double> emitted =
      CounterDelta(previous->jitter_buffer_emitted_count, current.jitter_buffer_emitted_count);
  if (delay && emitted) acc.AddJitterBuffer(*delay, *emitted);
}

const PeerAnalyzer::RtpReport* PeerAnalyzer::OutboundFor(const Sample& s,
                                                         const RtpReport& remote) const {
  if (std::optional<std::string_view> local_id = GetString(*remote.report, StatField::kLocalId)) {
    for (const RtpReport& rtp : rtp_) {
      if (rtp.type == ReportType::kOutboundRtp && rtp.id == *local_id) return &rtp;
    }
  }
  const RtpReport* by_ssrc = nullptr;
  for (const RtpReport& other : rtp_) {
    if (other.type != ReportType::kOutboundRtp) continue;
    if (GetString(*other.report, StatField::kRemoteId) == remote.id) return &other;
    if (by_ssrc == nullptr && SameSsrcAndKind(s.snapshot, *other.report, *remote.report)) {
      by_ssrc = &other;
    }
  }
  return by_ssrc;
}

void PeerAnalyzer::OnRemoteInbound(const Sample& s, const RtpReport& rtp) {
  const std::string_view id = rtp.id;
  const StatsReport& report = *rtp.report;
  const std::optional<MediaKind> kind = ReportKind(s.snapshot, report);
  if (!kind) return;
  // Without its outbound stream there is nothing to compare the loss with.
  const RtpReport* outbound = OutboundFor(s, rtp);
  if (outbound == nullptr) return;
  DirectionAccumulator& acc = Acc(*kind, Direction::kSend);
  const StreamCounters* previous = rtp.previous();
  const StreamCounters& current = rtp.counters;
  if (previous != nullptr && !s.Advanced(*previous, current)) return;
  // Send loss: the far end's losses between two of its reports, out of what
  // we had sent between the times of those reports. Receiver reports come
  // every few seconds (about 5 s for audio in Chrome), so what was sent since
  // the latest one is left for the next: the two counts cover the same span.
  // The remote report's first sample is the baseline.
  const std::optional<double> sent =
      SentAt(outbound->previous(), outbound->counters, s.snapshot, SampleTime(current, s.snapshot));
  auto baseline = s.pc.sent_at_remote_report.find(id);
  if (previous != nullptr && sent && baseline != s.pc.sent_at_remote_report.end() &&
      *sent >= baseline->second) {
    acc.AddExpectedPackets(*sent - baseline->second);
    if (std::optional<double> lost = CounterDelta(previous->packets_lost, current.packets_lost)) {
      acc.AddLostPackets(*lost);
    }
  }
  if (!sent) {
    if (baseline != s.pc.sent_at_remote_report.end()) s.pc.sent_at_remote_report.erase(baseline);
  } else if (baseline != s.pc.sent_at_remote_report.end()) {
    baseline->second = *sent;
  } else {
    s.pc.sent_at_remote_report.emplace(id, *sent);
  }
  if (std::optional<double> jitter = GetNumber(report, StatField::kJitter)) {
    acc.AddJitter(*jitter * 1000);
  }
  if (IsNewRttMeasurement(previous, current)) {
    if (std::optional<double> rtt = NewRtt(previous, current)) acc.AddRtt(*rtt * 1000);
  }
}

void PeerAnalyzer::OnSelectedPair(const Sample& s, const std::optional<SelectedPair>& pair) {
  if (!pair) return;
  if (std::optional<PeerFeatures> features = PairFeatures(s.snapshot, *pair->report)) {
    s.pc.features = std::move(features);
  }
  const std::optional<double> rtt = GetNumber(*pair->report, StatField::kCurrentRoundTripTime);
  if (!rtt) return;
  // Like Sample::Advanced: a pair whose timestamp did not advance repeats its
  // last measurement.
  const StreamCounters* previous = s.Previous(pair->id);
  const double now = ReportTime(*pair->report, s.snapshot);
  if (previous != nullptr && !(now > SampleTime(*previous, s.snapshot))) return;
  pair_rtt_ms_.Add(*rtt * 1000);
  sample_pair_rtt_ms_ = *rtt * 1000;
}

void PeerAnalyzer::OnSetLocalDescription(std::string_view, double client_ts_ms) {
  call_setup_.OnSetLocalDescription(client_ts_ms);
}

void PeerAnalyzer::OnConnectionStateChange(std::string_view pc_id, std::string_view state,
                                           double client_ts_ms) {
  call_setup_.OnConnectionState(state, client_ts_ms);
  if (state == "connected") MarkConnected(pc_id);
}

void PeerAnalyzer::OnIceConnectionStateChange(std::string_view pc_id, std::string_view state,
                                              double client_ts_ms) {
  call_setup_.OnIceConnectionState(state, client_ts_ms);
  if (state == "connected" || state == "completed") MarkConnected(pc_id);
}

void PeerAnalyzer::OnPcClosed(std::string_view pc_id, double) {
  auto it = pcs_.find(pc_id);
  if (it == pcs_.end()) return;
  it->second.previous.clear();
  it->second.sent_at_remote_report.clear();
}

void PeerAnalyzer::MarkConnected(std::string_view pc_id) {
  if (std::find(connect_order_.begin(), connect_order_.end(), pc_id) == connect_order_.end()) {
    connect_order_.emplace_back(pc_id);
  }
}

PeerFeatures PeerAnalyzer::Features() const {
  for (const std::vector<std::string>* order : {&connect_order_, &pc_order_}) {
    for (const std::string& pc_id : *order) {
      auto it = pcs_.find(pc_id);
      if (it != pcs_.end() && it->second.features) return *it->second.features;
    }
  }
  return PeerFeatures{};
}

void PeerAnalyzer::FillSampleRtt(DirectionSample (&samples)[2][2]) const {
  constexpr int kSend = static_cast<int>(Direction::kSend);
  const DirectionSample& audio_send = samples[static_cast<int>(MediaKind::kAudio)][kSend];
  const DirectionSample& video_send = samples[static_cast<int>(MediaKind::kVideo)][kSend];
  // The peer's round trip in this sample, for what it receives (as PeerRtt).
  std::optional<double> peer_rtt = audio_send.rtt;
  if (!peer_rtt) peer_rtt = video_send.rtt;
  if (!peer_rtt) peer_rtt = sample_pair_rtt_ms_;
  for (int k = 0; k < 2; ++k) {
    for (int d = 0; d < 2; ++d) {
      DirectionSample& sample = samples[k][d];
      if (!acc_[k][d].HasMedia()) continue;
      if (d == kSend) {
        if (!sample.rtt) sample.rtt = sample_pair_rtt_ms_;
      } else {
        sample.rtt = peer_rtt;
      }
    }
  }
}

void PeerAnalyzer::FillSampleMos(DirectionSample (&samples)[2][2]) const {
  for (int d = 0; d < 2; ++d) {
    // A MOS rates media that flowed: none for an interval without any.
    DirectionSample& audio = samples[static_cast<int>(MediaKind::kAudio)][d];
    const DirectionAccumulator& audio_acc = acc_[static_cast<int>(MediaKind::kAudio)][d];
    if (audio.bitrate) {
      std::optional<double> buffer;
      if (d == static_cast<int>(Direction::kRecv)) buffer = audio_acc.SampleJitterBufferMs();
      audio.mos = Finite(DirectionAudioMos(audio.rtt, buffer, audio.jitter, audio.packet_loss,
                                           audio_acc.audio_codec()));
    }
    DirectionSample& video = samples[static_cast<int>(MediaKind::kVideo)][d];
    const std::optional<double> pixel_rate =
        acc_[static_cast<int>(MediaKind::kVideo)][d].SamplePixelRate();
    if (video.bitrate && pixel_rate && video.frame_width && video.frame_height && video.fps) {
      video.mos =
          Finite(VideoMos({*video.bitrate, *pixel_rate, *video.frame_width * *video.frame_height,
                           *video.fps, video.packet_loss.value_or(0)}));
    }
  }
}

std::optional<double> PeerAnalyzer::PeerRtt() const {
  if (std::optional<double> rtt = Acc(MediaKind::kAudio, Direction::kSend).Rtt()) return rtt;
  if (std::optional<double> rtt = Acc(MediaKind::kVideo, Direction::kSend).Rtt()) return rtt;
  return pair_rtt_ms_.Mean();
}

DirectionSummary PeerAnalyzer::SummarizeDirection(MediaKind kind, Direction direction,
                                                  std::optional<double> peer_rtt) const {
  const DirectionAccumulator& acc = Acc(kind, direction);
  DirectionSummary d;
  if (!acc.HasMedia()) return d;  // unknown, not zero
  d.bitrate = Finite(acc.Bitrate());
  d.packet_loss = Finite(acc.PacketLoss());
  d.jitter = Finite(acc.Jitter());
  if (direction == Direction::kSend) {
    d.rtt = Finite(acc.Rtt());
    if (!d.rtt) d.rtt = Finite(pair_rtt_ms_.Mean());
  }
  // The send direction has its own RTT; what the peer receives crossed the
  // same network path, so it gets the peer's.
  const std::optional<double> rtt = direction == Direction::kSend ? d.rtt : peer_rtt;

  if (kind == MediaKind::kAudio) {
    // The receiver measures its jitter buffer; for what we send, the far
    // end's buffer is estimated as twice the jitter it reports.
    std::optional<double> buffer;
    if (direction == Direction::kRecv) buffer = acc.JitterBufferMs();
    d.mos = DirectionAudioMos(rtt, buffer, d.jitter, d.packet_loss, acc.audio_codec());
  } else {
    const std::optional<double> pixel_rate = Finite(acc.PixelRate());
    const std::optional<double> frame_pixels = Finite(acc.FramePixels());
    const std::optional<double> fps = Finite(acc.FrameRate());
    if (d.bitrate && pixel_rate && frame_pixels && fps) {
      d.mos = VideoMos({*d.bitrate, *pixel_rate, *frame_pixels, *fps, d.packet_loss.value_or(0)});
    }
  }

  ScoreInput score;
  score.kind = kind;
  score.packet_loss = d.packet_loss;
  score.jitter = d.jitter;
  score.rtt = rtt;
  score.bitrate = d.bitrate;
  if (kind == MediaKind::kVideo) score.frame_rate = acc.FrameRate();
  score.bitrate_variation = acc.BitrateVariation();
  score.loss_variation = acc.LossVariation();
  d.score = DirectionScore(score);
  return d;
}

MediaSummary PeerAnalyzer::Summarize() const {
  MediaSummary out;
  const std::optional<double> peer_rtt = Finite(PeerRtt());
  out.audio.send = SummarizeDirection(MediaKind::kAudio, Direction::kSend, peer_rtt);
  out.audio.recv = SummarizeDirection(MediaKind::kAudio, Direction::kRecv, peer_rtt);
  out.video.send = SummarizeDirection(MediaKind::kVideo, Direction::kSend, peer_rtt);
  out.video.recv = SummarizeDirection(MediaKind::kVideo, Direction::kRecv, peer_rtt);
  // testRTC's MOS "looks only at the audio channels".
  out.mos = MeanOf({out.audio.send.mos, out.audio.recv.mos});
  out.score = PeerScore(out);
  out.call_setup_time = Finite(call_setup_.Value());
  return out;
}

}  // namespace rtcstream
