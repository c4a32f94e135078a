// Video MOS: a simple, documented model. No ITU-T model covers WebRTC video
// from getStats alone: P.1203.1 is specified for H.264 adaptive streaming and
// its bitrate-only mode 0 hardly tells resolutions apart. This one rates what
// getStats does tell: how many bits each pixel gets, how smooth the motion is,
// how large the picture is, and packet loss.
//
//   bpp    = bitrate / pixel_rate           (bits per pixel per frame)
//   q_bits = min(1, log2(1 + bpp / 0.05))   (0.05 bpp: VP8/H.264 camera
//                                            video looks good from here on)
//   q_fps  = min(1, fps / 24) ^ 0.3         (fitted to P.1203.1's frame-rate
//                                            degradation; docs/metrics.md)
//   q_res  = min(1, frame_pixels / (1280 x 720)) ^ 0.2
//   q_loss = 1 / (1 + loss% / 10)
//   MOS    = 1 + 3.5 q_bits q_fps q_res q_loss, in 1..4.5
//
// 4.5 is the ceiling the audio E-model has too, so a perfect call reads the
// same in both kinds.
#pragma once

namespace rtcstream {

// Bits per pixel per frame at which q_bits reaches 1.
inline constexpr double kReferenceBitsPerPixel = 0.05;
// Frame rate at which q_fps reaches 1: P.1203.1 sees no loss from 24 fps on.
inline constexpr double kReferenceFps = 24;
// Exponent of q_fps: the least-squares fit of P.1203.1's frame-rate
// degradation over 5..23 fps.
inline constexpr double kFrameRateExponent = 0.3;
// Frame area (720p) at which q_res reaches 1.
inline constexpr double kReferenceFramePixels = 1280.0 * 720.0;
// Exponent of q_res.
inline constexpr double kResolutionExponent = 0.2;

// The mean figures of one video direction.
struct VideoMosInput {
  double bitrate_kbps = 0;
  double pixel_rate = 0;    // width x height x fps, summed over simultaneous streams
  double frame_pixels = 0;  // width x height of the largest stream
  double fps = 0;           // frame rate of the fastest stream
  double packet_loss_pct = 0;
};

// MOS (1..4.5) of one video direction.
double VideoMos(const VideoMosInput& input);

}  // namespace rtcstream
