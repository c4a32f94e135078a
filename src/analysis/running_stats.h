// RunningStats: count, mean and spread of a series of samples, without
// keeping the samples (Welford's online algorithm, which stays accurate where
// the textbook sum-of-squares formula loses precision).
#pragma once

#include <cstddef>
#include <optional>

namespace rtcstream {

class RunningStats {
 public:
  // Adds one sample.
  void Add(double value);

  // Number of samples added.
  size_t count() const { return count_; }

  // Mean of the samples; nullopt when there are none.
  std::optional<double> Mean() const;

  // Population standard deviation; 0 with fewer than two samples.
  double StdDev() const;

  // Standard deviation divided by the mean; 0 with fewer than two samples or
  // a mean of zero (the ratio says nothing then).
  double CoefficientOfVariation() const;

 private:
  size_t count_ = 0;
  double mean_ = 0;
  double m2_ = 0;  // sum of squared distances from the mean
};

}  // namespace rtcstream
