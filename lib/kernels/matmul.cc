// MatMul's dispatch: one parallel region over the rows of every fused target, each chunk taken
// by the algorithm for its token count (one per file): the matrix-vector product for one token
// (matvec-inl.h; matvec_quant-inl.h for ggml's blocks), register tiles for a few
// (matmul_tiles-inl.h), the packed product for a batch (matmul_packed-inl.h); weight_rows-inl.h
// loads every weight type. The scalar reference is matmul_reference.cc.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/matmul.cc"
#include "kernels/matmul.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/matmul_packed-inl.h"
#include "kernels/matmul_tiles-inl.h"
#include "kernels/matvec-inl.h"
#include "kernels/matvec_q8-inl.h"
#include "kernels/matvec_quant-inl.h"
#include "kernels/q8_activations.h"
#include "kernels/quant_blocks.h"
#include "kernels/weight_rows-inl.h"
#include "util/thread_pool.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {

constexpr size_t kMaxFused = 8;  // targets per dispatched call

void MatMulFusedT(const float* x, size_t x_stride, size_t n, size_t cols,
                  const MatMulTarget* targets, size_t count, size_t max_threads,
                  Activations activations) {
  if (count > kMaxFused) {
    for (size_t t = 0; t < count; t += kMaxFused) {
      MatMulFusedT(x, x_stride, n, cols, targets + t, std::min(kMaxFused, count - t), max_threads,
                   activations);
    }
    return;
  }
  // One token's activations as Q8_K, once for every target, when asked and of use.
  const Q8Activations* q8 = nullptr;
  if (activations == Activations::kQ8 && n == 1 && cols % 256 == 0) {
    bool any = false;
    for (size_t t = 0; t < count; ++t) {
      any |= targets[t].w.type == WeightType::kQ4_K || targets[t].w.type == WeightType::kQ6_K;
    }
    thread_local Q8Activations quantized;
    if (any) {
      QuantizeQ8K(x, cols, &quantized);
      q8 = &quantized;
    }
  }
  // Each target's algorithm: the packed product for a batch, and for quantized weights from 2
  // tokens up (the tiles dequantize a weight vector once per 4 tokens, the packed product once
  // per panel for all of them); else the matrix-vector product or the tiles. Its work units:
  // panels of kPanelJ rows, rows in kGemvUnit or tiles of kTileJ, numbered across the targets
  // so that one parallel region covers them all.
  bool gemm[kMaxFused], any_gemm = false;
  size_t unit[kMaxFused], first_unit[kMaxFused + 1];
  first_unit[0] = 0;
  for (size_t t = 0; t < count; ++t) {
    gemm[t] = n >= kGemmMinTokens || (IsBlockQuantized(targets[t].w.type) && n >= 2);
    any_gemm |= gemm[t];
    unit[t] = gemm[t] ? kPanelJ : n == 1 ? kGemvUnit : kTileJ;
    first_unit[t + 1] = first_unit[t] + (targets[t].w.rows + unit[t] - 1) / unit[t];
  }
  const size_t units = first_unit[count];
  if (units == 0) return;
  const float* xt = nullptr;
  if (any_gemm) {
    const size_t nt = TokenBlock();
    float* buf = PackBuffer((n + nt - 1) / nt * nt * cols);
    PackTransposed(x, x_stride, n, cols, buf);
    xt = buf;
  }
  const size_t threads = max_threads == 0 ? util::DefaultThreadCount() : max_threads;
  // Several chunks per thread so that uneven progress balances; for the short decode products
  // 16, so that the thread done first waits at most a sixteenth of its share for the other.
  const size_t grain = std::max<size_t>(any_gemm ? 1 : 4, units / (threads * (any_gemm ? 4 : 16)));
  util::ParallelFor(
      units, grain,
      [&](size_t begin, size_t end) {
        for (size_t t = 0; t < count; ++t) {
          const size_t b = std::max(begin, first_unit[t]), e = std::min(end, first_unit[t + 1]);
          if (b >= e) continue;
          const MatMulTarget& tg = targets[t];
          const size_t ub = b - first_unit[t], ue = e - first_unit[t];
          const size_t j_begin = ub * unit[t], j_end = std::min(tg.w.rows, ue * unit[t]);
          WithRows(tg.w, [&](const auto& rows) {
            if (gemm[t]) {
              GemmPanels(xt, n, cols, rows, tg.w.rows, ub, ue, tg.out, tg.out_stride);
            } else if (n == 1) {
              if (q8 == nullptr || !GemvQ8Rows(*q8, cols, rows, j_begin, j_end, tg.out)) {
                GemvRows(x, cols, rows, j_begin, j_end, tg.out);
              }
            } else {
              MatMulRows(x, x_stride, n, cols, rows, j_begin, j_end, tg.out, tg.out_stride);
            }
          });
        }
      },
      max_threads);
}

// dst = row `row` of w through the loaders the products use.
void WidenRowT(const WeightMatrix& w, size_t row, float* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  WithRows(w, [&](const auto& rows) {
    size_t k = 0;
    for (; k + lanes <= w.cols; k += lanes) hn::StoreU(rows.Load(df, row, k), df, dst + k);
    for (; k < w.cols; ++k) dst[k] = rows.At(row, k);
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::kernels {

HWY_EXPORT(MatMulFusedT);
HWY_EXPORT(WidenRowT);

void WidenRow(const WeightMatrix& w, size_t row, float* dst) {
  HWY_DYNAMIC_DISPATCH(WidenRowT)(w, row, dst);
}

void MatMul(const float* x, size_t x_stride, size_t n, const WeightMatrix& w, float* out,
            size_t out_stride, size_t max_threads, Activations activations) {
  if (n == 0 || w.rows == 0) return;
  const MatMulTarget target{w, out, out_stride};
  HWY_DYNAMIC_DISPATCH(MatMulFusedT)(x, x_stride, n, w.cols, &target, 1, max_threads, activations);
}

void MatMulFused(const float* x, size_t x_stride, size_t n, size_t cols,
                 absl::Span<const MatMulTarget> targets, size_t max_threads,
                 Activations activations) {
  if (n == 0 || targets.empty()) return;
  HWY_DYNAMIC_DISPATCH(MatMulFusedT)
  (x, x_stride, n, cols, targets.data(), targets.size(), max_threads, activations);
}

}  // namespace xval::kernels
#endif  // HWY_ONCE
