// The product for one token (decode): a matrix-vector product bound by reading the weights
// once, several rows read in step.
// Included once per Highway target by matmul.cc (foreach_target.h), hence the toggling include
// guard of Highway's own -inl.h headers.

#if defined(XVAL_KERNELS_MATVEC_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_MATVEC_INL_H_
#undef XVAL_KERNELS_MATVEC_INL_H_
#else
#define XVAL_KERNELS_MATVEC_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/weight_rows-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {

// ---- One token (decode): a matrix-vector product bound by reading the weights ----
//
// Each thread reads its rows as four sequential streams at once: the quarters of its rows, one
// row of each in step, x's vectors loaded once for the four. One stream a core reads slower
// than the memory can deliver: the hardware prefetcher runs a bounded distance ahead of each
// stream, and one stream's lines in flight do not cover the memory's latency. On the Zen 3
// measured, four streams in step without software prefetch read about as fast as the fastest
// read loop, one or two streams (one even with software prefetch) slower, and software
// prefetch on four streams made them slower; in the benchmark model's decode four streams beat
// two, and one by more (docs/design-measurements.md, "Decode: streams per thread"). x stays in
// L1; the horizontal sums per row are negligible against a row of loads.
constexpr size_t kGemvStreams = 4;
constexpr size_t kGemvUnit = 4;  // rows a work unit of the product for one token

// out[rows[s]] = x . w[rows[s]] for the S rows, read in step.
template <size_t S, class Rows>
HWY_INLINE void GemvRowsInStep(const float* HWY_RESTRICT x, size_t cols, const Rows& w,
                               const size_t (&rows)[S], float* HWY_RESTRICT out) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF a[S], b[S];  // two accumulators a row: k and k + 2 * lanes feed a, the odd vectors b
  for (size_t s = 0; s < S; ++s) a[s] = b[s] = hn::Zero(df);
  size_t k = 0;
  for (; k + 4 * lanes <= cols; k += 4 * lanes) {
    const VF x0 = hn::LoadU(df, x + k), x1 = hn::LoadU(df, x + k + lanes);
    const VF x2 = hn::LoadU(df, x + k + 2 * lanes), x3 = hn::LoadU(df, x + k + 3 * lanes);
    for (size_t s = 0; s < S; ++s) {
      a[s] = hn::MulAdd(x0, w.Load(df, rows[s], k), a[s]);
      b[s] = hn::MulAdd(x1, w.Load(df, rows[s], k + lanes), b[s]);
      a[s] = hn::MulAdd(x2, w.Load(df, rows[s], k + 2 * lanes), a[s]);
      b[s] = hn::MulAdd(x3, w.Load(df, rows[s], k + 3 * lanes), b[s]);
    }
  }
  for (; k + lanes <= cols; k += lanes) {
    const VF xv = hn::LoadU(df, x + k);
    for (size_t s = 0; s < S; ++s) a[s] = hn::MulAdd(xv, w.Load(df, rows[s], k), a[s]);
  }
  for (size_t s = 0; s < S; ++s) {
    float sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(a[s], b[s])));
    for (size_t kk = k; kk < cols; ++kk) sum += x[kk] * w.At(rows[s], kk);
    out[rows[s]] = sum;
  }
}

// step(rows) for the rows [j_begin, j_end) kGemvStreams at a time, read in step (the quarters
// of the range, one row of each), then step(row) for each row left over; rows is a
// const size_t (&)[kGemvStreams] or [1]. Every matrix-vector product walks its rows so.
template <class Step>
HWY_INLINE void ForRowsInStep(size_t j_begin, size_t j_end, const Step& step) {
  const size_t quarter = (j_end - j_begin) / kGemvStreams;
  for (size_t i = 0; i < quarter; ++i) {
    const size_t rows[kGemvStreams] = {j_begin + i, j_begin + quarter + i,
                                       j_begin + 2 * quarter + i, j_begin + 3 * quarter + i};
    step(rows);
  }
  for (size_t j = j_begin + kGemvStreams * quarter; j < j_end; ++j) {
    const size_t row[1] = {j};
    step(row);
  }
}

template <class Rows>
void GemvRows(const float* HWY_RESTRICT x, size_t cols, const Rows& w, size_t j_begin, size_t j_end,
              float* HWY_RESTRICT out) {
  ForRowsInStep(j_begin, j_end, [&](const auto& rows) { GemvRowsInStep(x, cols, w, rows, out); });
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
