#include "analysis/video_mos.h"

#include <algorithm>
#include <cmath>

namespace rtcstream {

double VideoMos(const VideoMosInput& input) {
  if (input.pixel_rate <= 0 || input.fps <= 0 || input.frame_pixels <= 0) return 1;
  const double bpp = std::max(0.0, input.bitrate_kbps) * 1000 / input.pixel_rate;
  const double q_bits = std::min(1.0, std::log2(1 + bpp / kReferenceBitsPerPixel));
  const double q_fps = std::pow(std::min(1.0, input.fps / kReferenceFps), kFrameRateExponent);
  const double q_res =
      std::pow(std::min(1.0, input.frame_pixels / kReferenceFramePixels), kResolutionExponent);
  const double q_loss = 1 / (1 + std::clamp(input.packet_loss_pct, 0.0, 100.0) / 10);
  return std::clamp(1 + 3.5 * q_bits * q_fps * q_res * q_loss, 1.0, 4.5);
}

}  // namespace rtcstream
