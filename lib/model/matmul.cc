// MatMul: register-tiled dot products, weights widened to f32 as they are loaded.
//
// Both operands are row-major with the reduction dimension contiguous (x @ w.T), so a tile of
// kI rows of x by kJ rows of w keeps kI * kJ vector accumulators and, per step along k, loads
// kJ weight vectors once and kI activation vectors once: 3 x 4 gives 12 FMAs for 7 loads, which
// keeps the FMA units busy on AVX2 (16 registers). The k dimension is cut into blocks whose
// activation panel fits in L2, so the panel is read from cache, not memory, for every group of
// weight rows. Decode (n = 1) is a matrix-vector product bound by reading the weights once;
// the tiles of 4 weight rows keep four independent streams in flight.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/matmul.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/convert.h"
#include "model/matmul.h"
#include "model/tensor_store.h"
#include "util/thread_pool.h"

HWY_BEFORE_NAMESPACE();
namespace xval::model {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

// Loaders: a vector of lanes weights of row j starting at column k, and one weight.
struct F32Rows {
  const float* base;
  size_t stride;
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const { return hn::LoadU(df, base + j * stride + k); }
  HWY_INLINE float At(size_t j, size_t k) const { return base[j * stride + k]; }
};

struct BF16Rows {
  const uint16_t* base;
  size_t stride;
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
    // bf16 is the top half of an f32: widening is a 16-bit shift.
    const hn::Rebind<uint16_t, DF> du16;
    const hn::RebindToUnsigned<DF> du32;
    const auto bits = hn::PromoteTo(du32, hn::LoadU(du16, base + j * stride + k));
    return hn::BitCast(df, hn::ShiftLeft<16>(bits));
  }
  HWY_INLINE float At(size_t j, size_t k) const { return kernels::Bf16ToF32(base[j * stride + k]); }
};

struct F16Rows {
  const uint16_t* base;
  size_t stride;
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
    // F16C converts exactly (subnormals, infinities and NaN included).
    const hn::Rebind<hwy::float16_t, DF> df16;
    return hn::PromoteTo(df, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(
                                                 base + j * stride + k)));
#else
    HWY_ALIGN float tmp[hn::MaxLanes(DF())];
    for (size_t l = 0; l < hn::Lanes(df); ++l) tmp[l] = kernels::F16ToF32(base[j * stride + k + l]);
    return hn::Load(df, tmp);
#endif
  }
  HWY_INLINE float At(size_t j, size_t k) const { return kernels::F16ToF32(base[j * stride + k]); }
};

struct Q8Rows {
  const uint8_t* base;
  size_t row_bytes;  // cols / 32 * 34
  HWY_INLINE VF Load(DF df, size_t j, size_t k) const {
    const uint8_t* block = base + j * row_bytes + (k / kQ8BlockSize) * kQ8BlockBytes;
    uint16_t scale_bits;
    std::memcpy(&scale_bits, block, 2);
    const hn::Rebind<int8_t, DF> di8;
    const hn::RebindToSigned<DF> di32;
    const auto q = hn::PromoteTo(
        di32, hn::LoadU(di8, reinterpret_cast<const int8_t*>(block + 2) + k % kQ8BlockSize));
    return hn::Mul(hn::ConvertTo(df, q), hn::Set(df, kernels::F16ToF32(scale_bits)));
  }
  HWY_INLINE float At(size_t j, size_t k) const {
    const uint8_t* block = base + j * row_bytes + (k / kQ8BlockSize) * kQ8BlockBytes;
    uint16_t scale_bits;
    std::memcpy(&scale_bits, block, 2);
    const int8_t q = static_cast<int8_t>(block[2 + k % kQ8BlockSize]);
    return kernels::F16ToF32(scale_bits) * static_cast<float>(q);
  }
};

// out[i, j0 + j] (+)= sum_{k0 <= k < k1} x[i, k] * w[j0 + j, k] for i < kI, j < kJ.
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
    case 4: return Tile<kI, 4>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    case 3: return Tile<kI, 3>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    case 2: return Tile<kI, 2>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
    default: return Tile<kI, 1>(x, x_stride, w, j0, k0, k1, out, out_stride, accumulate);
  }
}

constexpr size_t kTileI = 3;
constexpr size_t kTileJ = 4;

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
      if (n - i == 2) {
        TileJ<2>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      } else if (n - i == 1) {
        TileJ<1>(nj, x + i * x_stride, x_stride, w, j, k0, k1, out + i * out_stride, out_stride,
                 k0 > 0);
      }
    }
  }
}

void MatMulT(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, float* out,
             size_t out_stride, size_t max_threads) {
  const size_t groups = (w.rows + kTileJ - 1) / kTileJ;
  const size_t threads = max_threads == 0 ? util::DefaultThreadCount() : max_threads;
  // Several chunks per thread so that uneven progress balances; each at least 16 rows.
  const size_t grain = std::max<size_t>(4, groups / (threads * 4));
  auto run = [&](auto rows) {
    util::ParallelFor(
        groups, grain,
        [&](size_t begin, size_t end) {
          MatMulRows(x, x_stride, n, w.cols, rows, begin * kTileJ,
                     std::min(w.rows, end * kTileJ), out, out_stride);
        },
        max_threads);
  };
  switch (w.type) {
    case WeightType::kF32:
      return run(F32Rows{static_cast<const float*>(w.data), w.row_stride});
    case WeightType::kBF16:
      return run(BF16Rows{static_cast<const uint16_t*>(w.data), w.row_stride});
    case WeightType::kF16:
      return run(F16Rows{static_cast<const uint16_t*>(w.data), w.row_stride});
    case WeightType::kQ8_0:
      return run(Q8Rows{static_cast<const uint8_t*>(w.data),
                        w.cols / kQ8BlockSize * kQ8BlockBytes});
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::model
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::model {

HWY_EXPORT(MatMulT);

void MatMul(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, float* out,
            size_t out_stride, size_t max_threads) {
  if (n == 0 || w.rows == 0) return;
  HWY_DYNAMIC_DISPATCH(MatMulT)(x, x_stride, n, w, out, out_stride, max_threads);
}

void DequantizeRow(const WeightMatrix& w, size_t row, float* dst) {
  switch (w.type) {
    case WeightType::kF32: {
      const float* src = static_cast<const float*>(w.data) + row * w.row_stride;
      std::copy(src, src + w.cols, dst);
      return;
    }
    case WeightType::kBF16: {
      const uint16_t* src = static_cast<const uint16_t*>(w.data) + row * w.row_stride;
      for (size_t k = 0; k < w.cols; ++k) dst[k] = kernels::Bf16ToF32(src[k]);
      return;
    }
    case WeightType::kF16: {
      const uint16_t* src = static_cast<const uint16_t*>(w.data) + row * w.row_stride;
      for (size_t k = 0; k < w.cols; ++k) dst[k] = kernels::F16ToF32(src[k]);
      return;
    }
    case WeightType::kQ8_0: {
      const uint8_t* src =
          static_cast<const uint8_t*>(w.data) + row * (w.cols / kQ8BlockSize * kQ8BlockBytes);
      for (size_t b = 0; b < w.cols / kQ8BlockSize; ++b, src += kQ8BlockBytes) {
        uint16_t scale_bits;
        std::memcpy(&scale_bits, src, 2);
        const float d = kernels::F16ToF32(scale_bits);
        for (size_t l = 0; l < kQ8BlockSize; ++l) {
          dst[b * kQ8BlockSize + l] = d * static_cast<float>(static_cast<int8_t>(src[2 + l]));
        }
      }
      return;
    }
  }
}

}  // namespace xval::model
#endif  // HWY_ONCE
