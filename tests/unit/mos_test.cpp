#include "analysis/mos.h"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/audio_codec.h"
#include "analysis/video_mos.h"

namespace rtcstream {
namespace {

TEST(MosTest, DefaultRatingGivesG107Maximum) {
  EXPECT_DOUBLE_EQ(EModelR(EModelInput{}), 93.2);
  EXPECT_NEAR(MosFromR(93.2), 4.41, 0.005);
}

TEST(MosTest, MosFromRClampsAndStaysAtLeastOne) {
  EXPECT_DOUBLE_EQ(MosFromR(-10), 1);
  EXPECT_DOUBLE_EQ(MosFromR(0), 1);
  EXPECT_DOUBLE_EQ(MosFromR(100), 4.5);
  EXPECT_DOUBLE_EQ(MosFromR(130), 4.5);
  EXPECT_GE(MosFromR(3), 1);
  EXPECT_NEAR(MosFromR(50), 1 + 1.75 + 7e-6 * 50 * -10 * 50, 1e-12);
}

TEST(MosTest, DelayImpairmentFollowsSimplifiedG107) {
  EXPECT_DOUBLE_EQ(DelayImpairment(0), 0);
  EXPECT_NEAR(DelayImpairment(100), 2.4, 1e-12);
  EXPECT_NEAR(DelayImpairment(177.3), 0.024 * 177.3, 1e-12);
  EXPECT_NEAR(DelayImpairment(300), 0.024 * 300 + 0.11 * 122.7, 1e-9);
}

TEST(MosTest, EffectiveEquipmentImpairment) {
  EXPECT_DOUBLE_EQ(EffectiveEquipmentImpairment(0, 4.3, 0, 1), 0);
  // G.711 without PLC at 2 % random loss.
  EXPECT_NEAR(EffectiveEquipmentImpairment(0, 4.3, 2, 1), 95.0 * 2 / 6.3, 1e-9);
  EXPECT_NEAR(EffectiveEquipmentImpairment(10, 20, 5, 1), 10 + 85.0 * 5 / 25, 1e-9);
  // Bursty loss hurts more than random loss.
  EXPECT_GT(EffectiveEquipmentImpairment(0, 25.1, 5, 2),
            EffectiveEquipmentImpairment(0, 25.1, 5, 1));
}

TEST(MosTest, AudioMosIsMonotonicInLoss) {
  double previous = 5;
  for (double loss = 0; loss <= 30; loss += 0.5) {
    const double mos = AudioMos({.rtt_ms = 50, .jitter_buffer_ms = 20, .packet_loss_pct = loss});
    EXPECT_LT(mos, previous) << loss;
    previous = mos;
  }
}

TEST(MosTest, AudioMosIsMonotonicInDelay) {
  double previous = 5;
  for (double rtt = 0; rtt <= 3000; rtt += 25) {
    const double mos = AudioMos({.rtt_ms = rtt, .jitter_buffer_ms = 20, .packet_loss_pct = 1});
    // Strictly falling until R reaches 0 (near 1.5 s), then pinned at 1.
    if (rtt <= 1200) {
      EXPECT_LT(mos, previous) << rtt;
    } else {
      EXPECT_LE(mos, previous) << rtt;
    }
    previous = mos;
  }
  EXPECT_DOUBLE_EQ(previous, 1);
  EXPECT_LT(AudioMos({.rtt_ms = 100, .jitter_buffer_ms = 200}),
            AudioMos({.rtt_ms = 100, .jitter_buffer_ms = 20}));
}

TEST(MosTest, AudioMosKnownValue) {
  // Ta = 100/2 + 30 + 20 = 100 ms, Id = 2.4; Opus+FEC at 1 %: 95 / 31.
  const double r = 93.2 - 2.4 - 95.0 / 31;
  EXPECT_NEAR(AudioMos({.rtt_ms = 100, .jitter_buffer_ms = 30, .packet_loss_pct = 1}), MosFromR(r),
              1e-12);
  // A clean, short call is close to the ceiling.
  EXPECT_GT(AudioMos({.rtt_ms = 20, .jitter_buffer_ms = 20}), 4.35);
}

TEST(MosTest, WorkedExamplesOfTheDocs) {
  // docs/metrics.md: the recorded two-peer call. Receive: 1.31 ms round trip
  // and a 32.15 ms jitter buffer; send: the far end's 0.53 ms jitter, so an
  // estimated 1.06 ms buffer.
  EXPECT_NEAR(AudioMos({.rtt_ms = 1.31, .jitter_buffer_ms = 32.15}), 4.3834, 5e-5);
  EXPECT_NEAR(AudioMos({.rtt_ms = 1.31, .jitter_buffer_ms = 1.06}), 4.3990, 5e-5);
  // A troubled send direction: 428 ms round trip, 8 ms jitter, 3.6 % loss.
  // Ta = 214 + 16 + 20 = 250 ms, Id = 6 + 0.11 x 72.7 = 14.00,
  // Ie,eff = 95 x 3.6 / 33.6 = 10.18, R = 69.02.
  const double r = 93.2 - (0.024 * 250 + 0.11 * (250 - 177.3)) - 95 * 3.6 / (3.6 + 30);
  EXPECT_NEAR(r, 69.02, 0.005);
  EXPECT_NEAR(AudioMos({.rtt_ms = 428, .jitter_buffer_ms = 16, .packet_loss_pct = 3.6}),
              MosFromR(r), 1e-12);
  EXPECT_NEAR(MosFromR(r), 3.55, 0.005);
}

TEST(MosTest, CodecTable) {
  EXPECT_DOUBLE_EQ(ImpairmentOf(AudioCodec::kG711).ie, 0);
  EXPECT_DOUBLE_EQ(ImpairmentOf(AudioCodec::kG711).bpl, 25.1);
  EXPECT_DOUBLE_EQ(ImpairmentOf(AudioCodec::kG711NoPlc).bpl, 4.3);
  EXPECT_DOUBLE_EQ(ImpairmentOf(AudioCodec::kOpus).bpl, 25.1);
  EXPECT_DOUBLE_EQ(ImpairmentOf(AudioCodec::kOpusFec).bpl, 30);
  EXPECT_DOUBLE_EQ(ImpairmentOf(AudioCodec::kG722).ie, 0);

  EXPECT_EQ(AudioCodecFromSdp("audio/PCMU", ""), AudioCodec::kG711);
  EXPECT_EQ(AudioCodecFromSdp("audio/PCMA", ""), AudioCodec::kG711);
  EXPECT_EQ(AudioCodecFromSdp("audio/G722", ""), AudioCodec::kG722);
  EXPECT_EQ(AudioCodecFromSdp("audio/opus", "minptime=10;useinbandfec=1"), AudioCodec::kOpusFec);
  EXPECT_EQ(AudioCodecFromSdp("audio/opus", "minptime=10"), AudioCodec::kOpus);
  EXPECT_EQ(AudioCodecFromSdp("audio/red", "111/111"), AudioCodec::kOpusFec);
  EXPECT_EQ(AudioCodecFromSdp("audio/iLBC", ""), AudioCodec::kOpus);
  // Mime types and fmtp parameters compare without regard to case.
  EXPECT_EQ(AudioCodecFromSdp("AUDIO/RED", ""), AudioCodec::kOpusFec);
  EXPECT_EQ(AudioCodecFromSdp("Audio/Opus", "MinPTime=10;UseInBandFEC=1"), AudioCodec::kOpusFec);
  EXPECT_EQ(AudioCodecFromSdp("audio/pcmu2", ""), AudioCodec::kOpus);
  EXPECT_EQ(AudioCodecFromSdp("audio/opus", "useinbandfec=0"), AudioCodec::kOpus);
}

TEST(MosTest, MoreRobustCodecsLoseLessUnderLoss) {
  auto mos = [](AudioCodec codec) {
    return AudioMos({.rtt_ms = 50, .jitter_buffer_ms = 20, .packet_loss_pct = 5, .codec = codec});
  };
  EXPECT_GT(mos(AudioCodec::kOpusFec), mos(AudioCodec::kOpus));
  EXPECT_GT(mos(AudioCodec::kG711), mos(AudioCodec::kG711NoPlc));
  // Without loss the codecs of the table are all transparent.
  EXPECT_DOUBLE_EQ(AudioMos({.codec = AudioCodec::kG711}), AudioMos({.codec = AudioCodec::kOpus}));
}

TEST(MosTest, CodecOfAnRtpReport) {
  StatsSnapshot snapshot;
  snapshot.reports["C1"] = {{"type", {StatValue::Kind::kString, 0, "codec"}},
                            {"mimeType", {StatValue::Kind::kString, 0, "audio/opus"}},
                            {"sdpFmtpLine", {StatValue::Kind::kString, 0, "useinbandfec=1"}}};
  StatsReport rtp = {{"codecId", {StatValue::Kind::kString, 0, "C1"}}};
  EXPECT_EQ(AudioCodecOf(snapshot, rtp), AudioCodec::kOpusFec);
  rtp["codecId"].text = "missing";
  EXPECT_EQ(AudioCodecOf(snapshot, rtp), std::nullopt);
}

VideoMosInput Reference() {
  VideoMosInput in;
  in.frame_pixels = 1280 * 720;
  in.fps = 30;
  in.pixel_rate = in.frame_pixels * in.fps;
  in.bitrate_kbps = in.pixel_rate * kReferenceBitsPerPixel / 1000;  // 1382.4
  return in;
}

TEST(VideoMosTest, ReferenceConditionsGiveTheCeiling) {
  EXPECT_NEAR(VideoMos(Reference()), 4.5, 1e-9);
}

TEST(VideoMosTest, EachFactorLowersTheScore) {
  const double best = VideoMos(Reference());
  VideoMosInput in = Reference();
  in.bitrate_kbps /= 4;
  EXPECT_NEAR(VideoMos(in), 1 + 3.5 * std::log2(1.25), 1e-9);

  in = Reference();
  in.fps = 15;
  in.pixel_rate = in.frame_pixels * in.fps;
  in.bitrate_kbps /= 2;  // same bits per pixel
  EXPECT_NEAR(VideoMos(in), 1 + 3.5 * std::pow(15.0 / 24, 0.3), 1e-9);

  in = Reference();
  in.frame_pixels = 640 * 360;
  in.pixel_rate = in.frame_pixels * 30;
  in.bitrate_kbps /= 4;
  EXPECT_LT(VideoMos(in), best);
  EXPECT_GT(VideoMos(in), 3.5);

  in = Reference();
  in.packet_loss_pct = 10;
  EXPECT_NEAR(VideoMos(in), 1 + 3.5 / 2, 1e-9);
}

TEST(VideoMosTest, FrameRateFollowsP1203) {
  // ITU-T P.1203.1 keeps 1 - (30.98 - 1.29 fps) / (64.65 + fps) of the
  // quality below 24 fps; q_fps stays within 0.025 of it from 5 to 30 fps.
  for (double fps = 5; fps <= 30; fps += 1) {
    VideoMosInput in = Reference();
    in.fps = fps;
    in.pixel_rate = in.frame_pixels * fps;
    in.bitrate_kbps = in.pixel_rate * kReferenceBitsPerPixel / 1000;
    const double kept = fps >= 24 ? 1 : 1 - (30.98 - 1.29 * fps) / (64.65 + fps);
    EXPECT_NEAR((VideoMos(in) - 1) / 3.5, kept, 0.025) << fps;
  }
}

TEST(VideoMosTest, CleanLowResolutionCall) {
  // docs/metrics.md: the recorded loopback call, 640x360 at 15 fps and
  // 151 kbit/s without loss. The encoder ran at its lowest QP with 1.7 Mbit/s
  // available, so only the chosen resolution and frame rate cost anything.
  VideoMosInput in;
  in.bitrate_kbps = 151;
  in.frame_pixels = 640 * 360;
  in.fps = 15;
  in.pixel_rate = in.frame_pixels * in.fps;
  const double q_bits = std::log2(1 + 151000 / in.pixel_rate / 0.05);
  const double q_fps = std::pow(15.0 / 24, 0.3);
  const double q_res = std::pow(0.25, 0.2);
  EXPECT_NEAR(VideoMos(in), 1 + 3.5 * q_bits * q_fps * q_res, 1e-9);
  EXPECT_NEAR(VideoMos(in), 3.09, 0.005);
}

TEST(VideoMosTest, StaysWithinRange) {
  VideoMosInput in = Reference();
  in.bitrate_kbps = 100000;
  EXPECT_LE(VideoMos(in), 4.5);
  in.bitrate_kbps = 0;
  EXPECT_GE(VideoMos(in), 1);
  EXPECT_DOUBLE_EQ(VideoMos(VideoMosInput{}), 1);
}

}  // namespace
}  // namespace rtcstream
