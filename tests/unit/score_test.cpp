#include "analysis/score.h"

#include <gtest/gtest.h>

namespace rtcstream {
namespace {

TEST(ScoreTest, CleanDirectionScoresTen) {
  ScoreInput audio;
  audio.packet_loss = 0;
  audio.jitter = 5;
  audio.rtt = 40;
  audio.bitrate = 35;
  EXPECT_DOUBLE_EQ(DirectionScore(audio), 10);

  ScoreInput video = audio;
  video.kind = MediaKind::kVideo;
  video.bitrate = 1200;
  video.frame_rate = 30;
  EXPECT_DOUBLE_EQ(DirectionScore(video), 10);
}

TEST(ScoreTest, WorkedExampleOfTheDocs) {
  // docs/metrics.md: 10 - 1.8 (loss) - 2.28 (rtt) - 0.2 (loss variation) = 5.72.
  ScoreInput in;
  in.packet_loss = 3.6;
  in.jitter = 8;
  in.rtt = 428;
  in.bitrate = 13;
  in.bitrate_variation = 0.2;
  in.loss_variation = 1.4;
  EXPECT_NEAR(DirectionScore(in), 5.72, 1e-9);
}

TEST(ScoreTest, VideoRulesOnlyApplyToVideo) {
  ScoreInput in;
  in.bitrate = 100;
  in.frame_rate = 10;
  EXPECT_DOUBLE_EQ(DirectionScore(in), 10);
  in.kind = MediaKind::kVideo;
  // 2 for 200 kbit/s below 300, 2 for 10 fps below 20.
  EXPECT_NEAR(DirectionScore(in), 10 - 2 - 2, 1e-9);
}

TEST(ScoreTest, PenaltiesAreCappedAndScoreClamped) {
  const PenaltyRule& loss = PenaltyTable()[0];
  EXPECT_EQ(loss.metric, ScoreMetric::kPacketLoss);
  EXPECT_DOUBLE_EQ(Penalty(loss, 50), 5);
  EXPECT_DOUBLE_EQ(Penalty(loss, 2), 1);

  ScoreInput in;
  in.kind = MediaKind::kVideo;
  in.packet_loss = 40;
  in.jitter = 500;
  in.rtt = 3000;
  in.bitrate = 0;
  in.frame_rate = 0;
  in.bitrate_variation = 5;
  in.loss_variation = 20;
  EXPECT_DOUBLE_EQ(DirectionScore(in), 0);
}

TEST(ScoreTest, ThresholdsAreFree) {
  ScoreInput in;
  in.jitter = 30;
  in.rtt = 200;
  in.bitrate_variation = 0.5;
  in.loss_variation = 1;
  EXPECT_DOUBLE_EQ(DirectionScore(in), 10);
  in.jitter = 40;  // 10 ms above: 0.5
  EXPECT_NEAR(DirectionScore(in), 9.5, 1e-9);
}

TEST(ScoreTest, UnknownFiguresCostNothing) { EXPECT_DOUBLE_EQ(DirectionScore(ScoreInput{}), 10); }

TEST(ScoreTest, PeerScoreIsTheMeanOfKnownDirections) {
  MediaSummary summary;
  EXPECT_EQ(PeerScore(summary), std::nullopt);
  summary.audio.send.score = 8;
  summary.audio.recv.score = 9;
  summary.video.recv.score = 4;
  EXPECT_NEAR(*PeerScore(summary), 7, 1e-12);
}

}  // namespace
}  // namespace rtcstream
