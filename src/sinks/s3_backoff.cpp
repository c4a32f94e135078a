#include "sinks/s3_backoff.h"

#include <algorithm>

namespace rtcstream {

int64_t FullJitterBackoffMs(int attempt, int64_t base_ms, int64_t max_ms, std::mt19937_64* rng) {
  if (base_ms <= 0 || max_ms <= 0) return 0;
  int64_t cap = base_ms;
  // Doubling stops at max_ms, so the product never overflows.
  for (int i = 1; i < attempt && cap < max_ms; ++i) cap *= 2;
  cap = std::min(cap, max_ms);
  std::uniform_int_distribution<int64_t> delay(0, cap);
  return delay(*rng);
}

}  // namespace rtcstream
