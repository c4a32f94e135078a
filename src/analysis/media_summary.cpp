#include "analysis/media_summary.h"

#include <cmath>

namespace rtcstream {

std::optional<double> MeanOf(const std::vector<std::optional<double>>& values) {
  double sum = 0;
  int count = 0;
  for (const auto& v : values) {
    if (!v) continue;
    sum += *v;
    ++count;
  }
  if (count == 0) return std::nullopt;
  if (std::isfinite(sum)) return sum / count;
  // Finite values near the largest double overflow the sum, not the mean.
  double mean = 0;
  for (const auto& v : values) {
    if (v) mean += *v / count;
  }
  return mean;
}

std::optional<double> KindSummary::Bitrate() const { return MeanOf({send.bitrate, recv.bitrate}); }

std::optional<double> KindSummary::PacketLoss() const {
  return MeanOf({send.packet_loss, recv.packet_loss});
}

std::optional<double> KindSummary::Jitter() const { return MeanOf({send.jitter, recv.jitter}); }

namespace {

using Figure = std::optional<double>;

// The mean over all peers of the summary-level figure `field`.
Figure MeanOverPeers(const std::vector<MediaSummary>& peers, Figure MediaSummary::*field) {
  std::vector<Figure> values;
  values.reserve(peers.size());
  for (const auto& p : peers) values.push_back(p.*field);
  return MeanOf(values);
}

// The mean over all peers of `field` in one direction of one media kind.
Figure MeanOverPeers(const std::vector<MediaSummary>& peers, KindSummary MediaSummary::*kind,
                     DirectionSummary KindSummary::*direction, Figure DirectionSummary::*field) {
  std::vector<Figure> values;
  values.reserve(peers.size());
  for (const auto& p : peers) values.push_back((p.*kind).*direction.*field);
  return MeanOf(values);
}

DirectionSummary AggregateDirection(const std::vector<MediaSummary>& peers,
                                    KindSummary MediaSummary::*kind,
                                    DirectionSummary KindSummary::*direction) {
  DirectionSummary out;
  for (Figure DirectionSummary::*field :
       {&DirectionSummary::bitrate, &DirectionSummary::packet_loss, &DirectionSummary::jitter,
        &DirectionSummary::rtt, &DirectionSummary::mos, &DirectionSummary::score}) {
    out.*field = MeanOverPeers(peers, kind, direction, field);
  }
  return out;
}

}  // namespace

MediaSummary AggregateRoom(const std::vector<MediaSummary>& peers) {
  MediaSummary room;
  room.mos = MeanOverPeers(peers, &MediaSummary::mos);
  room.score = MeanOverPeers(peers, &MediaSummary::score);
  room.call_setup_time = MeanOverPeers(peers, &MediaSummary::call_setup_time);
  for (KindSummary MediaSummary::*kind : {&MediaSummary::audio, &MediaSummary::video}) {
    // The kind-level figures are derived from these by KindSummary's accessors.
    (room.*kind).send = AggregateDirection(peers, kind, &KindSummary::send);
    (room.*kind).recv = AggregateDirection(peers, kind, &KindSummary::recv);
  }
  return room;
}

}  // namespace rtcstream
