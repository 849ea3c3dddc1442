// One process-wide pool of worker threads, sized from the hardware, shared by every batch call.
#ifndef XVAL_UTIL_THREAD_POOL_H_
#define XVAL_UTIL_THREAD_POOL_H_

#include <cstddef>
#include <functional>

namespace xval::util {

// Calls fn(begin, end) over contiguous chunks of [0, n) on the shared pool plus the calling
// thread, and returns when all chunks are done. `max_threads` 0 means all cores. Chunks are
// handed out dynamically in pieces of `grain` items so uneven work balances. Calls from inside
// a worker run serially (no nested parallelism, no deadlock).
void ParallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn,
                 size_t max_threads = 0);

// The number of threads ParallelFor uses at most (the hardware concurrency, or
// XVAL_NUM_THREADS when set).
size_t DefaultThreadCount();

}  // namespace xval::util

#endif  // XVAL_UTIL_THREAD_POOL_H_
