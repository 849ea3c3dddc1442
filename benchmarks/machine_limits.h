// Physical limits measured in the same run as a benchmark (machine_limits.cc).
#ifndef XVAL_BENCHMARKS_MACHINE_LIMITS_H_
#define XVAL_BENCHMARKS_MACHINE_LIMITS_H_

#include <cstddef>

#include "hwy/aligned_allocator.h"

namespace xval::bench {

// Peak f32 FLOP/s on `threads` threads (10 independent FMA chains each): best of `trials`.
double PeakFlops(size_t threads, int trials);

// FLOP/s of the batched matmul's micro-kernel step (2 vector loads and 6 broadcasts per 12
// FMAs) with its operands in L1, on `threads` threads: best of `trials`. The ceiling of that
// kernel design on this core (about 85 % of PeakFlops on the Zen 3 measured).
double OuterProductFlops(size_t threads, int trials);

// Advises the whole pages of [p, p + bytes) MADV_HUGEPAGE, before they are first touched:
// memory then sits on 2 MiB pages where the kernel has transparent huge pages, as the model's
// weights do (MappedFile), and a sweep over it misses the TLB once per 2 MiB instead of 4 KiB.
void AdviseHugePages(void* p, size_t bytes);

constexpr size_t kReadFloats = (size_t{1} << 30) / sizeof(float);  // 1 GiB

// A filled kReadFloats buffer on huge pages for ReadBandwidth, made once so that page faults are
// not timed.
hwy::AlignedFreeUniquePtr<float[]> ReadBuffer(size_t threads);

// Read bandwidth on `threads` threads, bytes/s: the best of `trials` runs of each of two read
// loops, one sequential stream a thread and four streams a thread (the faster on the Zen 3
// measured, by 8-20 %), so that the bound is the fastest read found. Each run reads `bytes`:
// the buffer once by default, or as many passes over it as a token's weights take, so that
// the read lasts as long as what it is compared with.
double ReadBandwidth(const hwy::AlignedFreeUniquePtr<float[]>& buf, size_t threads, int trials,
                     size_t bytes = kReadFloats * sizeof(float));

}  // namespace xval::bench

#endif  // XVAL_BENCHMARKS_MACHINE_LIMITS_H_
