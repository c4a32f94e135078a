// ParallelFor: runs independent jobs on a few threads.
//
// For batch work whose items do not depend on each other (e.g. analysing the
// dump files of an import): results go to per-index slots, so their order does
// not depend on the scheduling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace rtcstream {

// Calls job(i) once for every i in [0, count), on up to `threads` threads
// (the calling thread is one of them), and returns when all calls have
// returned. Calls for different i may run at the same time; `job` must not
// throw. threads = 0 means one per CPU core.
void ParallelFor(size_t count, size_t threads, const std::function<void(size_t)>& job);

// Like ParallelFor over sizes.size() jobs, starting with the largest (by
// `sizes`, e.g. the files' sizes): a large job taken last would keep one
// thread busy while the others have nothing left to do.
void ParallelForLargestFirst(const std::vector<uint64_t>& sizes, size_t threads,
                             const std::function<void(size_t)>& job);

// The number of CPU cores this process may use (at least 1).
size_t AvailableCores();

}  // namespace rtcstream
