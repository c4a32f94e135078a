#include "common/parallel_for.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace rtcstream {

size_t AvailableCores() {
  // The affinity mask, not the machine's core count: a container or `taskset`
  // may give the process fewer cores than the machine has.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<size_t>(count);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void ParallelFor(size_t count, size_t threads, const std::function<void(size_t)>& job) {
  if (threads == 0) threads = AvailableCores();
  threads = std::min(threads, count);
  std::atomic<size_t> next{0};
  // Each thread takes the next index until none is left, so a long job on one
  // thread does not hold up the others.
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) job(i);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
}

void ParallelForLargestFirst(const std::vector<uint64_t>& sizes, size_t threads,
                             const std::function<void(size_t)>& job) {
  std::vector<size_t> order(sizes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  ParallelFor(order.size(), threads, [&](size_t k) { job(order[k]); });
}

}  // namespace rtcstream
