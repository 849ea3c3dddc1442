// The physical limits that benchmark figures are reported against, measured in the same run:
// peak f32 FMA throughput and memory read bandwidth (llama_bench, matmul_bench). Highway,
// dispatched to the best target, like the kernels they judge.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "machine_limits.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "machine_limits.h"
#include "util/thread_pool.h"

HWY_BEFORE_NAMESPACE();
namespace xval::bench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// 10 independent FMA chains per thread hide the FMA latency; returns the sum so that the
// compiler keeps the work. Flops = iters * 10 chains * lanes * 2. Each chain starts from its
// own value: chains that start equal stay equal, and the compiler merges them into one (GCC
// 12 did, which made this "peak" one chain's latency-bound rate times 10, 1.25x the real one).
float FmaLoop(size_t iters, float seed) {
  const hn::ScalableTag<float> d;
  auto a = hn::Set(d, 0.999999f), b = hn::Set(d, 1e-7f * seed);
  auto v0 = hn::Set(d, seed), v1 = hn::Set(d, seed + 1), v2 = hn::Set(d, seed + 2),
       v3 = hn::Set(d, seed + 3), v4 = hn::Set(d, seed + 4), v5 = hn::Set(d, seed + 5),
       v6 = hn::Set(d, seed + 6), v7 = hn::Set(d, seed + 7), v8 = hn::Set(d, seed + 8),
       v9 = hn::Set(d, seed + 9);
  for (size_t i = 0; i < iters; ++i) {
    v0 = hn::MulAdd(v0, a, b); v1 = hn::MulAdd(v1, a, b); v2 = hn::MulAdd(v2, a, b);
    v3 = hn::MulAdd(v3, a, b); v4 = hn::MulAdd(v4, a, b); v5 = hn::MulAdd(v5, a, b);
    v6 = hn::MulAdd(v6, a, b); v7 = hn::MulAdd(v7, a, b); v8 = hn::MulAdd(v8, a, b);
    v9 = hn::MulAdd(v9, a, b);
  }
  auto s = hn::Add(hn::Add(hn::Add(v0, v1), hn::Add(v2, v3)),
                   hn::Add(hn::Add(v4, v5), hn::Add(hn::Add(v6, v7), hn::Add(v8, v9))));
  return hn::GetLane(hn::SumOfLanes(d, s));
}
size_t FloatLanes() { return hn::Lanes(hn::ScalableTag<float>()); }

// The register-tiled GEMM step with both operands in L1: per k, 2 vector loads and 6
// broadcasts feed 12 FMAs (the batched matmul's micro-kernel, lib/kernels/matmul.cc), over a
// 256-deep panel (x 16 KiB, w 6 KiB) `reps` times. Flops = reps * 256 * 12 * lanes * 2.
float OuterProductLoop(size_t reps) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d), nt = 2 * lanes, kc = 256;
  auto x = hwy::AllocateAligned<float>(kc * nt);  // (kc, 2 vectors of tokens)
  auto w = hwy::AllocateAligned<float>(6 * kc);   // (6, kc)
  for (size_t i = 0; i < kc * nt; ++i) x[i] = 1e-3f * static_cast<float>(i % 97);
  for (size_t i = 0; i < 6 * kc; ++i) w[i] = 1e-3f * static_cast<float>(i % 89);
  auto total = hn::Zero(d);
  for (size_t r = 0; r < reps; ++r) {
    auto a0 = hn::Zero(d), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    auto b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
    for (size_t k = 0; k < kc; k += 4) {
      for (size_t u = k; u < k + 4; ++u) {
        const auto x0 = hn::Load(d, x.get() + u * nt), x1 = hn::Load(d, x.get() + u * nt + lanes);
        auto v = hn::Set(d, w[u]);
        a0 = hn::MulAdd(v, x0, a0), b0 = hn::MulAdd(v, x1, b0);
        v = hn::Set(d, w[kc + u]);
        a1 = hn::MulAdd(v, x0, a1), b1 = hn::MulAdd(v, x1, b1);
        v = hn::Set(d, w[2 * kc + u]);
        a2 = hn::MulAdd(v, x0, a2), b2 = hn::MulAdd(v, x1, b2);
        v = hn::Set(d, w[3 * kc + u]);
        a3 = hn::MulAdd(v, x0, a3), b3 = hn::MulAdd(v, x1, b3);
        v = hn::Set(d, w[4 * kc + u]);
        a4 = hn::MulAdd(v, x0, a4), b4 = hn::MulAdd(v, x1, b4);
        v = hn::Set(d, w[5 * kc + u]);
        a5 = hn::MulAdd(v, x0, a5), b5 = hn::MulAdd(v, x1, b5);
      }
    }
    const auto a = hn::Add(hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)), hn::Add(a4, a5));
    const auto b = hn::Add(hn::Add(hn::Add(b0, b1), hn::Add(b2, b3)), hn::Add(b4, b5));
    total = hn::Add(total, hn::Add(a, b));
  }
  return hn::GetLane(hn::SumOfLanes(d, total));
}

// Sum of a buffer with 4 vector accumulators: a streaming read, one sequential stream.
float ReadSum(const float* p, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  auto s0 = hn::Zero(d), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    s0 = hn::Add(s0, hn::Load(d, p + i)); s1 = hn::Add(s1, hn::Load(d, p + i + N));
    s2 = hn::Add(s2, hn::Load(d, p + i + 2 * N)); s3 = hn::Add(s3, hn::Load(d, p + i + 3 * N));
  }
  return hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
}

// The same sum read as four sequential streams at once, the buffer's quarters in step: a core
// keeps more lines in flight with several streams (the hardware prefetcher runs ahead of each),
// and reads 8-20 % faster than with one on the Zen 3 measured.
float ReadSum4(const float* p, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  const size_t q = n / 4 / (2 * N) * (2 * N);  // floats a stream reads
  const float* p1 = p + q;
  const float* p2 = p1 + q;
  const float* p3 = p2 + q;
  auto s0 = hn::Zero(d), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < q; i += 2 * N) {
    s0 = hn::Add(s0, hn::Add(hn::Load(d, p + i), hn::Load(d, p + i + N)));
    s1 = hn::Add(s1, hn::Add(hn::Load(d, p1 + i), hn::Load(d, p1 + i + N)));
    s2 = hn::Add(s2, hn::Add(hn::Load(d, p2 + i), hn::Load(d, p2 + i + N)));
    s3 = hn::Add(s3, hn::Add(hn::Load(d, p3 + i), hn::Load(d, p3 + i + N)));
  }
  return hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::bench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::bench {
HWY_EXPORT(FmaLoop);
HWY_EXPORT(FloatLanes);
HWY_EXPORT(OuterProductLoop);
HWY_EXPORT(ReadSum);
HWY_EXPORT(ReadSum4);

namespace {
using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }
}  // namespace

// The best FLOP/s over `trials` runs of loop(i) on threads i < `threads` at once, each run of
// the loop doing flops_per_thread.
template <class Loop>
double BestFlops(size_t threads, int trials, double flops_per_thread, Loop loop) {
  double best = 0;
  for (int rep = 0; rep < trials; ++rep) {
    std::vector<float> sink(threads);
    const auto t0 = Clock::now();
    util::ParallelFor(threads, 1, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) sink[i] = loop(i);
    }, threads);
    const double s = Seconds(t0);
    if (sink[0] == 12345.f) std::puts("");  // the loops' results are used
    best = std::max(best, threads * flops_per_thread / s);
  }
  return best;
}

double PeakFlops(size_t threads, int trials) {
  const size_t iters = 20'000'000;
  const double flops = iters * 10.0 * HWY_DYNAMIC_DISPATCH(FloatLanes)() * 2;
  return BestFlops(threads, trials, flops,
                   [&](size_t i) { return HWY_DYNAMIC_DISPATCH(FmaLoop)(iters, 1.0f + i); });
}

double OuterProductFlops(size_t threads, int trials) {
  const size_t reps = 200'000;
  const double flops = reps * 256.0 * 12 * HWY_DYNAMIC_DISPATCH(FloatLanes)() * 2;
  return BestFlops(threads, trials, flops,
                   [&](size_t) { return HWY_DYNAMIC_DISPATCH(OuterProductLoop)(reps); });
}

void AdviseHugePages(void* p, size_t bytes) {
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

hwy::AlignedFreeUniquePtr<float[]> ReadBuffer(size_t threads) {
  const size_t n = kReadFloats;
  auto buf = hwy::AllocateAligned<float>(n);
  // On huge pages: with 4 KiB pages a sweep reads 10-20 % slower on the Zen 3 measured, and the
  // bound is the faster rate.
  AdviseHugePages(buf.get(), n * sizeof(float));
  util::ParallelFor(n, n / 64, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) buf[i] = 1.0f;
  }, threads);
  return buf;
}

// The best over `trials` of reading `bytes` from the buffer, in passes over it (the last one
// partial), each pass in threads * 16 chunks read with read(first, floats).
template <class Read>
double BestReadRate(const float* buf, size_t threads, int trials, size_t bytes, Read read) {
  const size_t chunks = threads * 16;
  double best = 0;
  for (int rep = 0; rep < trials; ++rep) {
    std::vector<float> sums(chunks);
    size_t read_floats = 0;
    const auto t0 = Clock::now();
    for (size_t left = std::max(bytes / sizeof(float), chunks); left >= chunks;
         left -= std::min(left, kReadFloats)) {
      // Whole cache lines a chunk, so that every chunk starts aligned (the reads use aligned
      // loads; a model's bytes a token need not be a multiple of anything).
      const size_t per_chunk = std::min(left, kReadFloats) / chunks / 16 * 16;
      if (per_chunk == 0) break;
      util::ParallelFor(
          chunks, 1,
          [&](size_t b, size_t e) {
            for (size_t c = b; c < e; ++c) sums[c] += read(buf + c * per_chunk, per_chunk);
          },
          threads);
      read_floats += per_chunk * chunks;
    }
    const double s = Seconds(t0);
    if (sums[0] == 1.5f) std::puts("");
    best = std::max(best, read_floats * sizeof(float) / s);
  }
  return best;
}

double ReadBandwidth(const hwy::AlignedFreeUniquePtr<float[]>& buf, size_t threads, int trials,
                     size_t bytes) {
  const double one_stream =
      BestReadRate(buf.get(), threads, trials, bytes,
                   [](const float* p, size_t n) { return HWY_DYNAMIC_DISPATCH(ReadSum)(p, n); });
  const double four_streams =
      BestReadRate(buf.get(), threads, trials, bytes,
                   [](const float* p, size_t n) { return HWY_DYNAMIC_DISPATCH(ReadSum4)(p, n); });
  return std::max(one_stream, four_streams);
}

}  // namespace xval::bench
#endif  // HWY_ONCE
