// Delays between the attempts of a request.
#pragma once

#include <cstdint>
#include <random>

namespace rtcstream {

// Exponential backoff with full jitter: a uniformly random delay in
// [0, min(max_ms, base_ms * 2^(attempt - 1))] after failed attempt `attempt`
// (1-based). The jitter spreads the retries of many clients hit by one outage.
int64_t FullJitterBackoffMs(int attempt, int64_t base_ms, int64_t max_ms, std::mt19937_64* rng);

}  // namespace rtcstream
