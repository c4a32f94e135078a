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

TEST(ScoreTest, PeerWorkedExampleOfTheDocs) {
  // docs/metrics.md, "Worked example": the four directions of one peer.
  ScoreInput audio_send;
  audio_send.packet_loss = 3.6;
  audio_send.jitter = 8;
  audio_send.rtt = 428;
  audio_send.bitrate = 13;
  audio_send.bitrate_variation = 0.2;
  audio_send.loss_variation = 1.4;
  ScoreInput audio_recv;
  audio_recv.packet_loss = 0.1;
  audio_recv.jitter = 4;
  audio_recv.rtt = 428;  // the peer's round trip
  audio_recv.bitrate = 24;
  audio_recv.bitrate_variation = 0.3;
  audio_recv.loss_variation = 0.2;
  ScoreInput video_send;
  video_send.kind = MediaKind::kVideo;
  video_send.packet_loss = 2.7;
  video_send.jitter = 15;
  video_send.rtt = 159;  // video's own send round trip
  video_send.bitrate = 1596;
  video_send.frame_rate = 30;
  video_send.bitrate_variation = 0.7;
  video_send.loss_variation = 2.5;
  ScoreInput video_recv;
  video_recv.kind = MediaKind::kVideo;
  video_recv.packet_loss = 0.1;
  video_recv.jitter = 13;
  video_recv.rtt = 428;
  video_recv.bitrate = 68;
  video_recv.frame_rate = 8;
  video_recv.bitrate_variation = 0.4;
  video_recv.loss_variation = 0.2;

  MediaSummary summary;
  summary.audio.send.score = DirectionScore(audio_send);
  summary.audio.recv.score = DirectionScore(audio_recv);
  summary.video.send.score = DirectionScore(video_send);
  summary.video.recv.score = DirectionScore(video_recv);
  EXPECT_NEAR(*summary.audio.send.score, 10 - 1.8 - 2.28 - 0.2, 1e-9);          // 5.72
  EXPECT_NEAR(*summary.audio.recv.score, 10 - 0.05 - 2.28, 1e-9);               // 7.67
  EXPECT_NEAR(*summary.video.send.score, 10 - 1.35 - 0.4 - 0.75, 1e-9);         // 7.5
  EXPECT_NEAR(*summary.video.recv.score, 10 - 0.05 - 2.28 - 0.96 - 0.6, 1e-9);  // 6.11
  EXPECT_NEAR(*PeerScore(summary), 6.75, 1e-9);                                 // written as 6.8
}

TEST(ScoreTest, VideoRulesOnlyApplyToVideo) {
  ScoreInput in;
  in.bitrate = 50;
  in.frame_rate = 5;
  EXPECT_DOUBLE_EQ(DirectionScore(in), 10);
  in.kind = MediaKind::kVideo;
  // 1.5 for 50 kbit/s below 100, 1.5 for 5 fps below 10.
  EXPECT_NEAR(DirectionScore(in), 10 - 1.5 - 1.5, 1e-9);
}

TEST(ScoreTest, ChosenResolutionAndFrameRateAreNotPenalized) {
  // A clean 640x360 call at 15 fps and 150 kbit/s (a thumbnail-sized camera
  // setting many applications choose) scores 10: the score penalizes trouble,
  // the video MOS rates the picture.
  ScoreInput in;
  in.kind = MediaKind::kVideo;
  in.packet_loss = 0;
  in.jitter = 1;
  in.rtt = 2;
  in.bitrate = 150;
  in.frame_rate = 15;
  in.bitrate_variation = 0.05;
  EXPECT_DOUBLE_EQ(DirectionScore(in), 10);
  in.bitrate = 100;
  in.frame_rate = 10;
  EXPECT_DOUBLE_EQ(DirectionScore(in), 10);
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
