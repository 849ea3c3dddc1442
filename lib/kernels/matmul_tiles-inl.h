// The product for a few tokens (2 to 31): register-tiled dot products, weights widened to f32
// as they are loaded.
//
// Both operands are row-major with the reduction dimension contiguous (x @ w.T), so a tile of
// kI rows of x by kJ rows of w keeps kI * kJ vector accumulators and, per step along k, loads
// kJ weight vectors once and kI activation vectors once. The k dimension is cut into blocks
// whose activation panel fits in L2, so the panel is read from cache, not memory, for every
// group of weight rows.
// Included once per Highway target by matmul.cc (foreach_target.h), hence the toggling include
// guard of Highway's own -inl.h headers.

#if defined(XVAL_KERNELS_MATMUL_TILES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_MATMUL_TILES_INL_H_
#undef XVAL_KERNELS_MATMUL_TILES_INL_H_
#else
#define XVAL_KERNELS_MATMUL_TILES_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/weight_rows-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {

template <size_t kI, size_t kJ, class Rows>
HWY_NOINLINE void Tile(const float* HWY_RESTRICT x, size_t x_stride, const Rows& w, size_t j0,
                       size_t k0, size_t k1, float* HWY_RESTRICT out, size_t out_stride,
                       bool accumulate) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  VF acc[kI][kJ];  // kI x kJ partial sums, one per lane
  for (size_t i = 0; i < kI; ++i) {
    for (size_t j = 0; j < kJ; ++j) acc[i][j] = hn::Zero(df);
  }
  size_t k = k0;
  for (; k + lanes <= k1; k += lanes) {
    VF wv[kJ];
    for (size_t j = 0; j < kJ; ++j) wv[j] = w.Load(df, j0 + j, k);
    for (size_t i = 0; i < kI; ++i) {
      const VF xv = hn::LoadU(df, x + i * x_stride + k);
      for (size_t j = 0; j < kJ; ++j) acc[i][j] = hn::MulAdd(xv, wv[j], acc[i][j]);
    }
  }
  for (size_t i = 0; i < kI; ++i) {
    for (size_t j = 0; j < kJ; ++j) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[i][j]));
      for (size_t kt = k; kt < k1; ++kt) sum += x[i * x_stride + kt] * w.At(j0 + j, kt);
      float& o = out[i * out_stride + j0 + j];
      o = accumulate ? o + sum : sum;
    }
  }
}

template <size_t kI, class Rows>
HWY_INLINE void TileJ(size_t nj, const float* x, size_t x_stride, const Rows& w, size_t j0,
                      size_t k0, size_t k1, float* out, size_t out_stride, bool accumulate) {
  switch (nj) {
    case 3:
      return Tile<kI, 3>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    case 2:
      return Tile<kI, 2>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    default:
      return Tile<kI, 1>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
  }
}

// 4 tokens x 3 weight rows: 12 accumulators, and per vector of k 3 widened weight vectors for
// 12 FMAs. The f16 widening is not free on the Zen 3 measured, so the shape that widens least
// per FMA wins: 4 x 3 was faster than 3 tokens x 4 rows, and 8 x 1 and 6 x 2 (fewer widenings,
// but one or two weight rows streamed at a time) were slower than 4 x 3
// (docs/design-measurements.md, "Few tokens: tile shape").
constexpr size_t kTileI = 4;
constexpr size_t kTileJ = 3;

// Rows [j_begin, j_end) of w against all n rows of x.
template <class Rows>
void MatMulRows(const float* x, size_t x_stride, size_t n, size_t cols, const Rows& w,
                size_t j_begin, size_t j_end, float* out, size_t out_stride) {
  // An activation panel of n x kc floats in about 192 KiB of L2; kc a multiple of 32 so that
  // Q8_0 blocks and every vector length divide it.
  size_t kc = (192 * 1024 / sizeof(float)) / std::max<size_t>(n, 1);
  kc = std::max<size_t>(256, kc / 32 * 32);
  for (size_t k0 = 0; k0 < cols; k0 += kc) {
    const size_t k1 = std::min(cols, k0 + kc);
    for (size_t j = j_begin; j < j_end; j += kTileJ) {
      const size_t nj = std::min(kTileJ, j_end - j);
      size_t i = 0;
      for (; i + kTileI <= n; i += kTileI) {
        TileJ<kTileI>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride,
                      out_stride, k0 > 0);
      }
      if (n - i == 3) {
        TileJ<3>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      } else if (n - i == 2) {
        TileJ<2>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      } else if (n - i == 1) {
        TileJ<1>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
