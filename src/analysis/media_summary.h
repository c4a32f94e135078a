// The quality figures analysis produces for one peer, and their room-level
// aggregate. Every figure is optional: nullopt means "unknown" and is written
// as JSON null. Units: bitrate kbit/s, packet_loss %, jitter/rtt/call setup ms.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rtcstream {

// Figures for one media kind in one direction (send = what the peer sends).
struct DirectionSummary {
  std::optional<double> bitrate;
  std::optional<double> packet_loss;
  std::optional<double> jitter;
  std::optional<double> rtt;  // send direction only
  std::optional<double> mos;
  std::optional<double> score;
};

// Figures for one media kind. The kind-level bitrate, packet_loss and jitter are the
// mean of the non-null send and recv values (see docs/metrics.md).
struct KindSummary {
  DirectionSummary send;
  DirectionSummary recv;

  std::optional<double> Bitrate() const;
  std::optional<double> PacketLoss() const;
  std::optional<double> Jitter() const;
};

// Everything analysis knows about one peer's media.
struct MediaSummary {
  std::optional<double> mos;
  std::optional<double> score;
  std::optional<double> call_setup_time;
  KindSummary audio;
  KindSummary video;
};

// Connection features of a peer, from the selected ICE candidate pair.
struct PeerFeatures {
  std::optional<std::string> connection_type;  // "TURN" or "direct"
  std::optional<std::string> media_transport;  // "udp", "tcp" or "tls"
};

// Mean of the non-null values; nullopt when all are null.
std::optional<double> MeanOf(const std::vector<std::optional<double>>& values);

// Room-level aggregate: every figure is the mean of the peers' non-null values.
MediaSummary AggregateRoom(const std::vector<MediaSummary>& peers);

}  // namespace rtcstream
