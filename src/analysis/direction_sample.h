// DirectionSample: the figures of one media kind in one direction over one
// getStats sample of one peer connection (docs/metrics.md, "time series").
#pragma once

#include <optional>

namespace rtcstream {

// Every figure is nullopt when the sample does not tell it; never 0 instead.
struct DirectionSample {
  std::optional<double> bitrate;      // kbit/s
  std::optional<double> packet_loss;  // %
  std::optional<double> jitter;       // ms, mean of the sample's jitter values
  std::optional<double> rtt;          // ms
  // Audio: E-model MOS; video: the video model's MOS (docs/metrics.md, 7 and 8).
  std::optional<double> mos;
  // Video only: the largest active stream's frame size, the fastest one's rate.
  std::optional<double> frame_width;
  std::optional<double> frame_height;
  std::optional<double> fps;
};

}  // namespace rtcstream
