// TimeCoverage: the total length of a set of time intervals, counting time
// covered by several intervals once.
//
// Bitrate is averaged over the time a media kind and direction was active.
// Streams of different peer connections are sampled at different instants, so
// their active intervals overlap; adding their lengths would count concurrent
// time twice and halve the bitrate of a peer with two connections.
//
// Intervals are merged as they are added, so memory follows the number of
// separate active periods, not the length of the call: the back-to-back
// sample intervals of a stream become one interval.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace rtcstream {

class TimeCoverage {
 public:
  // Adds [start_ms, end_ms]. Empty or inverted intervals are ignored.
  void Add(double start_ms, double end_ms);

  // The length of the union of all intervals, in ms.
  double TotalMs() const;

  // Number of disjoint intervals kept: the memory this object uses.
  size_t intervals() const { return intervals_.size(); }

 private:
  // Sorted, disjoint and not touching.
  std::vector<std::pair<double, double>> intervals_;
};

}  // namespace rtcstream
