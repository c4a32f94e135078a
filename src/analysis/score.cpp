#include "analysis/score.h"

#include <algorithm>
#include <array>

namespace rtcstream {

namespace {

using Side = PenaltyRule::Side;

// Keep in step with docs/metrics.md, "Score".
constexpr std::array<PenaltyRule, 7> kRules{{
    {"packet loss (%)", ScoreMetric::kPacketLoss, true, true, Side::kAbove, 0, 0.5, 5},
    {"jitter (ms)", ScoreMetric::kJitter, true, true, Side::kAbove, 30, 0.05, 3},
    {"round trip time (ms)", ScoreMetric::kRtt, true, true, Side::kAbove, 200, 0.01, 4},
    {"video bitrate (kbit/s)", ScoreMetric::kBitrate, false, true, Side::kBelow, 100, 0.03, 3},
    {"video frame rate (fps)", ScoreMetric::kFrameRate, false, true, Side::kBelow, 10, 0.3, 3},
    {"bitrate variation (CV)", ScoreMetric::kBitrateVariation, true, true, Side::kAbove, 0.5, 2, 2},
    {"packet loss variation (% points)", ScoreMetric::kLossVariation, true, true, Side::kAbove, 1,
     0.5, 2},
}};

std::optional<double> ValueOf(const ScoreInput& input, ScoreMetric metric) {
  switch (metric) {
    case ScoreMetric::kPacketLoss:
      return input.packet_loss;
    case ScoreMetric::kJitter:
      return input.jitter;
    case ScoreMetric::kRtt:
      return input.rtt;
    case ScoreMetric::kBitrate:
      return input.bitrate;
    case ScoreMetric::kFrameRate:
      return input.frame_rate;
    case ScoreMetric::kBitrateVariation:
      return input.bitrate_variation;
    case ScoreMetric::kLossVariation:
      return input.loss_variation;
  }
  return std::nullopt;
}

}  // namespace

std::span<const PenaltyRule> PenaltyTable() { return kRules; }

double Penalty(const PenaltyRule& rule, double value) {
  const double excess = rule.side == Side::kAbove ? value - rule.threshold : rule.threshold - value;
  return std::min(rule.cap, rule.per_unit * std::max(0.0, excess));
}

double DirectionScore(const ScoreInput& input) {
  double score = 10;
  for (const PenaltyRule& rule : kRules) {
    const bool applies = input.kind == MediaKind::kAudio ? rule.audio : rule.video;
    if (!applies) continue;
    if (std::optional<double> value = ValueOf(input, rule.metric)) score -= Penalty(rule, *value);
  }
  return std::clamp(score, 0.0, 10.0);
}

std::optional<double> PeerScore(const MediaSummary& summary) {
  return MeanOf({summary.audio.send.score, summary.audio.recv.score, summary.video.send.score,
                 summary.video.recv.score});
}

}  // namespace rtcstream
