#include "analysis/peer_analyzer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "analysis/audio_codec.h"
#include "analysis/counter_delta.h"
#include "analysis/mos.h"
#include "analysis/score.h"
#include "analysis/selected_pair.h"
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

bool IsType(const StatsReport& report, std::string_view type) {
  return GetString(report, "type") == type;
}

bool IsRtpType(const StatsReport& report) {
  const std::optional<std::string_view> type = GetString(report, "type");
  return type == "outbound-rtp" || type == "inbound-rtp" || type == "remote-inbound-rtp";
}

// The report's own time. The decoder restores the SDK's "timestamp: 0"
// shorthand, but a report without any timestamp falls back to the sample's.
double ReportTime(const StatsReport& report, const StatsSnapshot& snapshot) {
  const std::optional<double> ts = GetNumber(report, "timestamp");
  if (ts && *ts > 0) return *ts;
  return snapshot.timestamp_ms;
}

bool SameSsrcAndKind(const StatsSnapshot& snapshot, const StatsReport& a, const StatsReport& b) {
  const std::optional<double> ssrc = GetNumber(a, "ssrc");
  return ssrc && ssrc == GetNumber(b, "ssrc") && ReportKind(snapshot, a) == ReportKind(snapshot, b);
}

// The id of the remote-inbound-rtp report that describes the outbound-rtp
// stream `id`: through `remoteId`, else a remote report whose `localId` names
// it, else one with the same SSRC and kind.
std::optional<std::string_view> RemoteInboundFor(const StatsSnapshot& snapshot, std::string_view id,
                                                 const StatsReport& outbound) {
  if (std::optional<std::string_view> remote_id = GetString(outbound, "remoteId")) {
    const StatsReport* remote = snapshot.Find(*remote_id);
    if (remote != nullptr && IsType(*remote, "remote-inbound-rtp")) return remote_id;
  }
  std::optional<std::string_view> by_ssrc;
  for (const auto& [other_id, other] : snapshot.reports) {
    if (!IsType(other, "remote-inbound-rtp")) continue;
    if (GetString(other, "localId") == id) return other_id;
    if (!by_ssrc && SameSsrcAndKind(snapshot, other, outbound)) by_ssrc = other_id;
  }
  return by_ssrc;
}

// The outbound-rtp report a remote-inbound-rtp report `id` describes; the
// mirror image of RemoteInboundFor.
const StatsReport* OutboundFor(const StatsSnapshot& snapshot, std::string_view id,
                               const StatsReport& remote) {
  if (std::optional<std::string_view> local_id = GetString(remote, "localId")) {
    const StatsReport* local = snapshot.Find(*local_id);
    if (local != nullptr && IsType(*local, "outbound-rtp")) return local;
  }
  const StatsReport* by_ssrc = nullptr;
  for (const auto& [other_id, other] : snapshot.reports) {
    if (!IsType(other, "outbound-rtp")) continue;
    if (GetString(other, "remoteId") == id) return &other;
    if (by_ssrc == nullptr && SameSsrcAndKind(snapshot, other, remote)) by_ssrc = &other;
  }
  return by_ssrc;
}

// The frame rate of a video stream: `framesPerSecond` when the browser gives
// it, else frames counted by `frames_field` over `dt_ms`.
double FrameRate(const StatsReport& previous, const StatsReport& current,
                 std::string_view frames_field, double dt_ms) {
  if (std::optional<double> fps = GetNumber(current, "framesPerSecond")) return *fps;
  const std::optional<double> frames = CounterDelta(previous, current, frames_field);
  if (!frames || dt_ms <= 0) return 0;
  return *frames * 1000 / dt_ms;
}

// Whether a remote-inbound-rtp sample carries a new RTT measurement (the
// browser repeats the last one, or sends null, until an RTCP report arrives).
bool IsNewRttMeasurement(const StatsReport* previous, const StatsReport& current) {
  if (std::optional<double> count = GetNumber(current, "roundTripTimeMeasurements")) {
    if (previous == nullptr) return *count > 0;
    const std::optional<double> before = GetNumber(*previous, "roundTripTimeMeasurements");
    return *count > 0 && (!before || *count != *before);
  }
  if (previous == nullptr) return true;
  const std::optional<double> total = GetNumber(current, "totalRoundTripTime");
  const std::optional<double> total_before = GetNumber(*previous, "totalRoundTripTime");
  if (total && total_before && *total > *total_before) return true;
  return GetNumber(*previous, "roundTripTime") != GetNumber(current, "roundTripTime");
}

// The round trip of a new measurement: `roundTripTime`, else the mean of the
// measurements since the previous sample. The SDK sends `roundTripTime: null`
// while no RTCP report arrives, and leaves the field out of its delta when the
// next measurement equals the last one it read, so a new measurement can come
// with the null still in place.
std::optional<double> NewRtt(const StatsReport* previous, const StatsReport& current) {
  if (std::optional<double> rtt = GetNumber(current, "roundTripTime")) return rtt;
  if (previous == nullptr) return std::nullopt;
  const std::optional<double> total = CounterDelta(*previous, current, "totalRoundTripTime");
  const std::optional<double> count = CounterDelta(*previous, current, "roundTripTimeMeasurements");
  if (!total || !count || *count <= 0) return std::nullopt;
  return *total / *count;
}

}  // namespace

struct PeerAnalyzer::Sample {
  const StatsSnapshot& snapshot;
  PcState& pc;
  // Time since the pc's previous sample; 0 when unknown.
  double gap_ms = 0;

  // The previous sample of report `id`, or nullptr for its first one.
  const StatsReport* Previous(std::string_view id) const {
    auto it = pc.previous.find(id);
    return it == pc.previous.end() ? nullptr : &it->second;
  }

  // How long a stream that advanced between `previous` and `current` was
  // active: the time between its two samples, but no more than the time
  // between the pc's two samples. The SDK leaves a report out of a delta when
  // nothing but its timestamp changed, so a stream that sat idle keeps an old
  // timestamp; whatever it sent since then was sent during the last interval.
  double ActiveMs(const StatsReport& previous, const StatsReport& current) const {
    const double dt = ReportTime(current, snapshot) - ReportTime(previous, snapshot);
    return gap_ms > 0 ? std::min(dt, gap_ms) : dt;
  }

  // Whether `current` is a newer sample than `previous`; a report whose
  // timestamp did not advance repeats old values and is skipped.
  bool Advanced(const StatsReport& previous, const StatsReport& current) const {
    return ReportTime(current, snapshot) > ReportTime(previous, snapshot);
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

  for (auto& row : acc_) {
    for (DirectionAccumulator& acc : row) acc.BeginSample();
  }
  for (const auto& [id, report] : snapshot.reports) {
    const std::optional<std::string_view> type = GetString(report, "type");
    if (type != "outbound-rtp" && type != "inbound-rtp" && type != "remote-inbound-rtp") continue;
    if (GetBool(report, "isRemote") == true) continue;  // pre-2019 Firefox remote reports
    if (type == "outbound-rtp") {
      OnOutbound(s, id, report);
    } else if (type == "inbound-rtp") {
      OnInbound(s, id, report);
    } else {
      OnRemoteInbound(s, id, report);
    }
  }
  const std::optional<SelectedPair> pair = FindSelectedPair(snapshot);
  OnSelectedPair(s, pair);
  for (auto& row : acc_) {
    for (DirectionAccumulator& acc : row) acc.EndSample(pc_id);
  }

  // Keep this sample as the baseline of the next one: its RTP reports and its
  // selected pair. Reports that disappeared are dropped, so memory follows the
  // live reports; the others are overwritten in place, reusing their storage.
  auto kept = [&](std::string_view id, const StatsReport& report) {
    return IsRtpType(report) || (pair && pair->id == id);
  };
  std::erase_if(pc.previous, [&](const auto& entry) {
    const StatsReport* now = snapshot.Find(entry.first);
    return now == nullptr || !kept(entry.first, *now);
  });
  for (const auto& [id, report] : snapshot.reports) {
    if (!kept(id, report)) continue;
    auto it = pc.previous.find(id);
    if (it == pc.previous.end()) it = pc.previous.emplace(id, StatsReport{}).first;
    it->second = report;
    it->second["timestamp"] = StatValue{StatValue::Kind::kNumber, ReportTime(report, snapshot), {}};
  }
  if (snapshot.timestamp_ms > 0) pc.last_snapshot_ms = snapshot.timestamp_ms;
}

const StatsReport* PeerAnalyzer::OnRtp(const Sample& s, std::string_view id,
                                       const StatsReport& report, MediaKind kind,
                                       Direction direction, std::string_view bytes_field,
                                       std::string_view frames_field) {
  DirectionAccumulator& acc = Acc(kind, direction);
  if (kind == MediaKind::kAudio) {
    if (std::optional<AudioCodec> codec = AudioCodecOf(s.snapshot, report)) {
      acc.SetAudioCodec(*codec);
    }
  }
  const StatsReport* previous = s.Previous(id);
  if (previous == nullptr || !s.Advanced(*previous, report)) return nullptr;

  const double now = ReportTime(report, s.snapshot);
  const double dt = s.ActiveMs(*previous, report);
  const std::optional<double> bytes = CounterDelta(*previous, report, bytes_field);
  if (bytes && *bytes > 0 && dt <= kMaxGapMs) {
    acc.AddBytes(*bytes, now - dt, now);
    if (kind == MediaKind::kVideo) {
      acc.AddVideoStream(GetNumber(report, "frameWidth").value_or(0),
                         GetNumber(report, "frameHeight").value_or(0),
                         FrameRate(*previous, report, frames_field, dt), dt);
    }
  }
  return previous;
}

void PeerAnalyzer::OnOutbound(const Sample& s, std::string_view id, const StatsReport& report) {
  const std::optional<MediaKind> kind = ReportKind(s.snapshot, report);
  if (!kind) return;
  const StatsReport* previous =
      OnRtp(s, id, report, *kind, Direction::kSend, "bytesSent", "framesEncoded");
  if (previous == nullptr) return;
  DirectionAccumulator& acc = Acc(*kind, Direction::kSend);
  // Send loss compares the far end's loss count with what we sent, so only
  // streams the far end reported on in both samples count: the remote
  // report's first sample is its loss baseline.
  const std::optional<std::string_view> remote_id = RemoteInboundFor(s.snapshot, id, report);
  if (remote_id && s.Previous(*remote_id) != nullptr) {
    if (std::optional<double> sent = CounterDelta(*previous, report, "packetsSent")) {
      acc.AddExpectedPackets(*sent);
    }
  }
}

void PeerAnalyzer::OnInbound(const Sample& s, std::string_view id, const StatsReport& report) {
  const std::optional<MediaKind> kind = ReportKind(s.snapshot, report);
  if (!kind) return;
  const StatsReport* previous =
      OnRtp(s, id, report, *kind, Direction::kRecv, "bytesReceived", "framesDecoded");
  if (previous == nullptr) return;
  DirectionAccumulator& acc = Acc(*kind, Direction::kRecv);
  const double received = CounterDelta(*previous, report, "packetsReceived").value_or(0);
  const double lost = CounterDelta(*previous, report, "packetsLost").value_or(0);
  acc.AddExpectedPackets(received + lost);
  acc.AddLostPackets(lost);
  // An idle stream reports a stale jitter figure; only active ones count.
  if (received <= 0) return;
  if (std::optional<double> jitter = GetNumber(report, "jitter")) acc.AddJitter(*jitter * 1000);
  const std::optional<double> delay = CounterDelta(*previous, report, "jitterBufferDelay");
  const std::optional<double> emitted = CounterDelta(*previous, report, "jitterBufferEmittedCount");
  if (delay && emitted) acc.AddJitterBuffer(*delay, *emitted);
}

void PeerAnalyzer::OnRemoteInbound(const Sample& s, std::string_view id,
                                   const StatsReport& report) {
  const std::optional<MediaKind> kind = ReportKind(s.snapshot, report);
  if (!kind) return;
  // Without its outbound stream there is nothing to compare the loss with.
  if (OutboundFor(s.snapshot, id, report) == nullptr) return;
  DirectionAccumulator& acc = Acc(*kind, Direction::kSend);
  const StatsReport* previous = s.Previous(id);
  if (previous != nullptr) {
    if (!s.Advanced(*previous, report)) return;
    if (std::optional<double> lost = CounterDelta(*previous, report, "packetsLost")) {
      acc.AddLostPackets(*lost);
    }
  }
  if (std::optional<double> jitter = GetNumber(report, "jitter")) acc.AddJitter(*jitter * 1000);
  if (IsNewRttMeasurement(previous, report)) {
    if (std::optional<double> rtt = NewRtt(previous, report)) acc.AddRtt(*rtt * 1000);
  }
}

void PeerAnalyzer::OnSelectedPair(const Sample& s, const std::optional<SelectedPair>& pair) {
  if (!pair) return;
  if (std::optional<PeerFeatures> features = PairFeatures(s.snapshot, *pair->report)) {
    s.pc.features = std::move(features);
  }
  const std::optional<double> rtt = GetNumber(*pair->report, "currentRoundTripTime");
  if (!rtt) return;
  const StatsReport* previous = s.Previous(pair->id);
  if (previous != nullptr && !s.Advanced(*previous, *pair->report)) return;
  pair_rtt_ms_.Add(*rtt * 1000);
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
  if (it != pcs_.end()) it->second.previous.clear();
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
    AudioMosInput in;
    in.rtt_ms = rtt.value_or(0);
    // The receiver measures its jitter buffer; for what we send, the far
    // end's buffer is estimated as twice the jitter it reports.
    std::optional<double> buffer;
    if (direction == Direction::kRecv) buffer = acc.JitterBufferMs();
    in.jitter_buffer_ms = buffer.value_or(2 * d.jitter.value_or(0));
    in.packet_loss_pct = d.packet_loss.value_or(0);
    in.codec = acc.audio_codec().value_or(AudioCodec::kOpusFec);
    d.mos = AudioMos(in);
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
