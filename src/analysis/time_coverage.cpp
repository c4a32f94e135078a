#include "analysis/time_coverage.h"

#include <algorithm>

namespace rtcstream {

void TimeCoverage::Add(double start_ms, double end_ms) {
  if (!(end_ms > start_ms)) return;
  intervals_.emplace_back(start_ms, end_ms);
}

double TimeCoverage::TotalMs() const {
  std::vector<std::pair<double, double>> sorted = intervals_;
  std::sort(sorted.begin(), sorted.end());
  double total = 0;
  bool open = false;
  double start = 0;
  double end = 0;
  for (const auto& [s, e] : sorted) {
    if (open && s <= end) {
      end = std::max(end, e);
      continue;
    }
    if (open) total += end - start;
    open = true;
    start = s;
    end = e;
  }
  if (open) total += end - start;
  return total;
}

}  // namespace rtcstream
