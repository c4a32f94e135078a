#include "analysis/direction_accumulator.h"

#include <algorithm>

namespace rtcstream {

void DirectionAccumulator::BeginSample() {
  sample_bytes_ = 0;
  sample_span_ms_ = 0;
  sample_expected_ = 0;
  sample_lost_ = 0;
  sample_jitter_buffer_s_ = 0;
  sample_jitter_buffer_emitted_ = 0;
  sample_pixels_ = 0;
  sample_jitter_ms_ = RunningStats();
  sample_rtt_ms_ = RunningStats();
  sample_frame_pixels_ = 0;
  sample_frame_width_ = 0;
  sample_frame_height_ = 0;
  sample_frame_rate_ = 0;
  sample_has_video_ = false;
}

DirectionSample DirectionAccumulator::EndSample(std::string_view pc_id) {
  DirectionSample sample;
  // bytes x 8 / ms is bits per ms, which is kbit/s.
  if (sample_bytes_ > 0 && sample_span_ms_ > 0) {
    sample.bitrate = sample_bytes_ * 8 / sample_span_ms_;
  }
  if (sample_expected_ > 0) {
    sample.packet_loss = std::min(100.0, sample_lost_ / sample_expected_ * 100);
  }
  sample.jitter = sample_jitter_ms_.Mean();
  sample.rtt = sample_rtt_ms_.Mean();
  if (sample.bitrate || sample.packet_loss) {
    auto it = series_.find(pc_id);
    if (it == series_.end()) it = series_.emplace(std::string(pc_id), SampleSeries{}).first;
    if (sample.bitrate) it->second.bitrate.Add(*sample.bitrate);
    if (sample.packet_loss) it->second.loss.Add(*sample.packet_loss);
  }
  if (sample_has_video_) {
    frame_pixels_.Add(sample_frame_pixels_);
    frame_rate_.Add(sample_frame_rate_);
    sample.frame_width = sample_frame_width_;
    sample.frame_height = sample_frame_height_;
    sample.fps = sample_frame_rate_;
  }
  return sample;
}

void DirectionAccumulator::AddBytes(double bytes, double start_ms, double end_ms) {
  if (bytes <= 0 || !(end_ms > start_ms)) return;
  bytes_ += bytes;
  active_.Add(start_ms, end_ms);
  sample_bytes_ += bytes;
  // Streams of one sample cover the same interval, or a shorter one for a
  // stream that was frozen; the longest is the sample's span.
  sample_span_ms_ = std::max(sample_span_ms_, end_ms - start_ms);
}

void DirectionAccumulator::AddExpectedPackets(double packets) {
  if (packets <= 0) return;
  expected_packets_ += packets;
  sample_expected_ += packets;
}

void DirectionAccumulator::AddLostPackets(double packets) {
  if (packets <= 0) return;
  lost_packets_ += packets;
  sample_lost_ += packets;
}

void DirectionAccumulator::AddJitter(double jitter_ms) {
  jitter_ms_.Add(jitter_ms);
  sample_jitter_ms_.Add(jitter_ms);
}

void DirectionAccumulator::AddRtt(double rtt_ms) {
  rtt_ms_.Add(rtt_ms);
  sample_rtt_ms_.Add(rtt_ms);
}

void DirectionAccumulator::AddJitterBuffer(double delay_s, double emitted) {
  if (delay_s < 0 || emitted <= 0) return;
  jitter_buffer_s_ += delay_s;
  jitter_buffer_emitted_ += emitted;
  sample_jitter_buffer_s_ += delay_s;
  sample_jitter_buffer_emitted_ += emitted;
}

void DirectionAccumulator::AddVideoStream(double width, double height, double fps,
                                          double duration_ms) {
  if (width <= 0 || height <= 0 || fps <= 0 || duration_ms <= 0) return;
  sample_has_video_ = true;
  pixels_ += width * height * fps * duration_ms / 1000;
  sample_pixels_ += width * height * fps * duration_ms / 1000;
  if (width * height > sample_frame_pixels_) {
    sample_frame_pixels_ = width * height;
    sample_frame_width_ = width;
    sample_frame_height_ = height;
  }
  sample_frame_rate_ = std::max(sample_frame_rate_, fps);
}

bool DirectionAccumulator::HasMedia() const { return bytes_ > 0 || expected_packets_ > 0; }

std::optional<double> DirectionAccumulator::Bitrate() const {
  const double active_ms = active_.TotalMs();
  if (bytes_ <= 0 || active_ms <= 0) return std::nullopt;
  return bytes_ * 8 / active_ms;
}

std::optional<double> DirectionAccumulator::PacketLoss() const {
  if (expected_packets_ <= 0) return std::nullopt;
  return std::min(100.0, lost_packets_ / expected_packets_ * 100);
}

std::optional<double> DirectionAccumulator::PixelRate() const {
  const double active_ms = active_.TotalMs();
  if (pixels_ <= 0 || active_ms <= 0) return std::nullopt;
  return pixels_ * 1000 / active_ms;
}

double DirectionAccumulator::BitrateVariation() const {
  double weighted = 0;
  size_t samples = 0;
  for (const auto& [pc_id, series] : series_) {
    weighted +=
        series.bitrate.CoefficientOfVariation() * static_cast<double>(series.bitrate.count());
    samples += series.bitrate.count();
  }
  return samples == 0 ? 0 : weighted / static_cast<double>(samples);
}

double DirectionAccumulator::LossVariation() const {
  double weighted = 0;
  size_t samples = 0;
  for (const auto& [pc_id, series] : series_) {
    weighted += series.loss.StdDev() * static_cast<double>(series.loss.count());
    samples += series.loss.count();
  }
  return samples == 0 ? 0 : weighted / static_cast<double>(samples);
}

std::optional<double> DirectionAccumulator::JitterBufferMs() const {
  if (jitter_buffer_emitted_ <= 0) return std::nullopt;
  return jitter_buffer_s_ / jitter_buffer_emitted_ * 1000;
}

std::optional<double> DirectionAccumulator::SampleJitterBufferMs() const {
  if (sample_jitter_buffer_emitted_ <= 0) return std::nullopt;
  return sample_jitter_buffer_s_ / sample_jitter_buffer_emitted_ * 1000;
}

std::optional<double> DirectionAccumulator::SamplePixelRate() const {
  if (sample_pixels_ <= 0 || sample_span_ms_ <= 0) return std::nullopt;
  return sample_pixels_ * 1000 / sample_span_ms_;
}

}  // namespace rtcstream
