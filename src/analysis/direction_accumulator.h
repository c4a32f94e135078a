// DirectionAccumulator: the running totals of one media kind in one direction
// of one peer, summed over all its streams and peer connections.
//
// PeerAnalyzer feeds it deltas between consecutive samples of each stream;
// BeginSample/EndSample bracket one getStats sample of one peer connection so
// that the per-sample figures behind the score's variance penalties can be
// formed. Each peer connection's samples form a series of their own:
// connections are sampled at different instants and may carry streams of very
// different rates (a camera and a screen share), so taken together their
// samples would show a variation that no stream has.
//
// Each sample's figures are also handed back by EndSample, for the peer's
// time series; the variance penalties are computed from those same figures.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "analysis/audio_codec.h"
#include "analysis/direction_sample.h"
#include "analysis/running_stats.h"
#include "analysis/time_coverage.h"

namespace rtcstream {

class DirectionAccumulator {
 public:
  // Starts one getStats sample.
  void BeginSample();
  // Ends the sample started by BeginSample; it came from peer connection
  // `pc_id`. Returns the sample's figures (its rtt: the sample's new round-trip
  // measurements only).
  DirectionSample EndSample(std::string_view pc_id);

  // One stream sent or received `bytes` during [start_ms, end_ms].
  void AddBytes(double bytes, double start_ms, double end_ms);
  // Packets that should have arrived (loss denominator).
  void AddExpectedPackets(double packets);
  // Packets that were lost (loss numerator).
  void AddLostPackets(double packets);
  // One jitter sample, in ms.
  void AddJitter(double jitter_ms);
  // One round-trip-time sample, in ms.
  void AddRtt(double rtt_ms);
  // Jitter buffer counters advanced by `delay_s` seconds over `emitted` samples.
  void AddJitterBuffer(double delay_s, double emitted);
  // One active video stream of the current sample, which carried media for
  // `duration_ms` (the interval just given to AddBytes).
  void AddVideoStream(double width, double height, double fps, double duration_ms);
  // The audio codec last seen in this direction.
  void SetAudioCodec(AudioCodec codec) { audio_codec_ = codec; }

  // True when any stream of this kind and direction carried media.
  bool HasMedia() const;
  // Total bits / active time, kbit/s; nullopt when never active.
  std::optional<double> Bitrate() const;
  // Lost / expected x 100, at most 100; nullopt when no packets were expected.
  std::optional<double> PacketLoss() const;
  // Mean jitter sample, ms.
  std::optional<double> Jitter() const { return jitter_ms_.Mean(); }
  // Mean round-trip-time sample, ms.
  std::optional<double> Rtt() const { return rtt_ms_.Mean(); }
  // Mean jitter buffer delay per emitted sample, ms.
  std::optional<double> JitterBufferMs() const;
  // Pixels of all active streams per second of active time: the pixels of
  // simultaneous streams (simulcast layers, several peer connections) add up,
  // as their bytes do, so that Bitrate() / PixelRate() is the call's bits per
  // pixel. nullopt when no stream reported its frame size and rate.
  std::optional<double> PixelRate() const;
  // Mean over samples of the largest active stream's width x height.
  std::optional<double> FramePixels() const { return frame_pixels_.Mean(); }
  // Mean over samples of the fastest active stream's frame rate.
  std::optional<double> FrameRate() const { return frame_rate_.Mean(); }
  // Coefficient of variation of the per-sample bitrate: of each peer
  // connection's series, averaged with the series' sample counts as weights.
  double BitrateVariation() const;
  // Standard deviation of the per-sample packet loss, % points: of each peer
  // connection's series, averaged with the series' sample counts as weights.
  double LossVariation() const;
  // Of the sample last ended: mean jitter buffer delay per emitted sample, ms.
  std::optional<double> SampleJitterBufferMs() const;
  // Of the sample last ended: pixels per second of its active video streams.
  std::optional<double> SamplePixelRate() const;
  // The audio codec last seen, if any.
  std::optional<AudioCodec> audio_codec() const { return audio_codec_; }

 private:
  // Totals over the whole call.
  double bytes_ = 0;
  TimeCoverage active_;
  double expected_packets_ = 0;
  double lost_packets_ = 0;
  double jitter_buffer_s_ = 0;
  double jitter_buffer_emitted_ = 0;
  RunningStats jitter_ms_;
  RunningStats rtt_ms_;
  double pixels_ = 0;  // width x height x frames, summed over streams
  RunningStats frame_pixels_;
  RunningStats frame_rate_;
  std::optional<AudioCodec> audio_codec_;

  // The per-sample figures of one peer connection.
  struct SampleSeries {
    RunningStats bitrate;
    RunningStats loss;
  };
  std::map<std::string, SampleSeries, std::less<>> series_;  // by pc id

  // The sample in progress.
  double sample_bytes_ = 0;
  double sample_span_ms_ = 0;
  double sample_expected_ = 0;
  double sample_lost_ = 0;
  double sample_jitter_buffer_s_ = 0;
  double sample_jitter_buffer_emitted_ = 0;
  double sample_pixels_ = 0;
  RunningStats sample_jitter_ms_;
  RunningStats sample_rtt_ms_;
  double sample_frame_pixels_ = 0;
  double sample_frame_width_ = 0;
  double sample_frame_height_ = 0;
  double sample_frame_rate_ = 0;
  bool sample_has_video_ = false;
};

}  // namespace rtcstream
