// The 0..10 media score. testRTC describes its score as penalizing "from a
// score of 10 based on the media metrics values as well as the variance of
// these values over time"; the penalties below are ours, and docs/metrics.md
// reproduces the table with a worked example.
//
// Each rule takes the part of a figure beyond its threshold, multiplies it by
// a penalty per unit and caps the result:
//   penalty = min(cap, per_unit * max(0, value - threshold))    (kAbove)
//   penalty = min(cap, per_unit * max(0, threshold - value))    (kBelow)
// A direction scores 10 minus the sum of its penalties, clamped to 0..10. A
// figure that is unknown costs nothing.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "analysis/media_kind.h"
#include "analysis/media_summary.h"

namespace rtcstream {

// What a rule looks at.
enum class ScoreMetric {
  kPacketLoss,        // %
  kJitter,            // ms
  kRtt,               // ms
  kBitrate,           // kbit/s
  kFrameRate,         // frames/s
  kBitrateVariation,  // coefficient of variation of the per-sample bitrate
  kLossVariation,     // standard deviation of the per-sample packet loss, % points
};

// One row of the penalty table.
struct PenaltyRule {
  std::string_view name;
  ScoreMetric metric;
  bool audio;  // applies to audio directions
  bool video;  // applies to video directions
  enum class Side { kAbove, kBelow } side;
  double threshold;
  double per_unit;
  double cap;
};

// The penalty table, in the order docs/metrics.md lists it.
std::span<const PenaltyRule> PenaltyTable();

// The figures of one kind and direction that the score looks at.
struct ScoreInput {
  MediaKind kind = MediaKind::kAudio;
  std::optional<double> packet_loss;
  std::optional<double> jitter;
  std::optional<double> rtt;  // the peer's round trip, for both directions
  std::optional<double> bitrate;
  std::optional<double> frame_rate;
  double bitrate_variation = 0;
  double loss_variation = 0;
};

// The penalty `rule` gives `value`.
double Penalty(const PenaltyRule& rule, double value);

// Score (0..10) of one kind and direction.
double DirectionScore(const ScoreInput& input);

// The peer score: mean of the non-null direction scores of both kinds, so
// that audio and video count alike; nullopt when there is none.
std::optional<double> PeerScore(const MediaSummary& summary);

}  // namespace rtcstream
