// One process-wide pool of worker threads, sized from the hardware, shared by every batch call.
// Thread-safe: any number of threads may call these at once; their jobs take turns on the pool.
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

// As ParallelFor, and tells fn which of the call's threads runs the chunk: `slot` is below
// ParallelSlots(max_threads), and no two threads of one call share a slot, so scratch memory
// that the call owns, indexed by slot, is never touched by two threads at once. (Memory kept
// per worker thread would be: the pool serves other callers as soon as this call's chunks
// are done, while this caller may still be reading what its chunks wrote.)
void ParallelForSlots(size_t n, size_t grain,
                      const std::function<void(size_t slot, size_t, size_t)>& fn,
                      size_t max_threads = 0);

// As ParallelForSlots with one item per chunk, each item with an owner: slot s takes items s,
// s + S, s + 2S, ... (S slots) in order, then takes the last items the others have not started.
// A thread then sees the same items from call to call (a batch's texts, so its per-thread caches
// hold their pieces), and the items finish roughly in order (so their outputs can be placed as
// they finish).
void ParallelForStriped(size_t n, const std::function<void(size_t slot, size_t, size_t)>& fn,
                        size_t max_threads = 0);

// The number of slots a ParallelForSlots call with this `max_threads` may use. (Pass the
// result as that call's max_threads: the environment may change in between.)
size_t ParallelSlots(size_t max_threads = 0);

// Says a parallel call with this `max_threads` is coming: the workers, asleep or about to sleep,
// poll for its job a while. A caller with serial work to do before its parallel call (longer
// than the pool's polling after a job, shorter than a sleeping worker takes to wake) calls it
// first, so that its helpers start with it.
void WakeWorkers(size_t max_threads = 0);

// The number of threads ParallelFor uses at most (the hardware concurrency, or
// XVAL_NUM_THREADS when set).
size_t DefaultThreadCount();

}  // namespace xval::util

#endif  // XVAL_UTIL_THREAD_POOL_H_
