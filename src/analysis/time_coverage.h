// TimeCoverage: the total length of a set of time intervals, counting time
// covered by several intervals once.
//
// Bitrate is averaged over the time a media kind and direction was active.
// Streams of different peer connections are sampled at different instants, so
// their active intervals overlap; adding their lengths would count concurrent
// time twice and halve the bitrate of a peer with two connections.
#pragma once

#include <utility>
#include <vector>

namespace rtcstream {

class TimeCoverage {
 public:
  // Adds [start_ms, end_ms]. Empty or inverted intervals are ignored.
  void Add(double start_ms, double end_ms);

  // The length of the union of all intervals, in ms.
  double TotalMs() const;

 private:
  std::vector<std::pair<double, double>> intervals_;
};

}  // namespace rtcstream
