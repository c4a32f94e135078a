#include "analysis/running_stats.h"

#include <cmath>

namespace rtcstream {

void RunningStats::Add(double value) {
  ++count_;
  const double delta = value - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (value - mean_);
}

std::optional<double> RunningStats::Mean() const {
  if (count_ == 0) return std::nullopt;
  return mean_;
}

double RunningStats::StdDev() const {
  if (count_ < 2) return 0;
  return std::sqrt(m2_ / static_cast<double>(count_));
}

double RunningStats::CoefficientOfVariation() const {
  if (count_ < 2 || mean_ == 0) return 0;
  return StdDev() / std::fabs(mean_);
}

}  // namespace rtcstream
