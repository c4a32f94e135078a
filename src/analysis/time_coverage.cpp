#include "analysis/time_coverage.h"

#include <algorithm>

namespace rtcstream {

void TimeCoverage::Add(double start_ms, double end_ms) {
  if (!(end_ms > start_ms)) return;
  // intervals_ is sorted and disjoint, so the intervals the new one overlaps
  // or touches are consecutive: from the first that ends at or after its
  // start to the last that begins at or before its end. They merge into one.
  auto first = std::lower_bound(intervals_.begin(), intervals_.end(), start_ms,
                                [](const auto& interval, double t) { return interval.second < t; });
  auto last = first;
  while (last != intervals_.end() && last->first <= end_ms) {
    start_ms = std::min(start_ms, last->first);
    end_ms = std::max(end_ms, last->second);
    ++last;
  }
  first = intervals_.erase(first, last);
  intervals_.insert(first, {start_ms, end_ms});
}

double TimeCoverage::TotalMs() const {
  double total = 0;
  for (const auto& [start, end] : intervals_) total += end - start;
  return total;
}

}  // namespace rtcstream
