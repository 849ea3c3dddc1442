// The product for a batch (32 tokens or more, a prefill): activations packed once, weight
// panels widened to f32 once per k block, an outer-product micro-kernel.
// Included once per Highway target by matmul.cc (foreach_target.h), hence the toggling include
// guard of Highway's own -inl.h headers.

#if defined(XVAL_KERNELS_MATMUL_PACKED_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef XVAL_KERNELS_MATMUL_PACKED_INL_H_
#undef XVAL_KERNELS_MATMUL_PACKED_INL_H_
#else
#define XVAL_KERNELS_MATMUL_PACKED_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "kernels/quant_blocks.h"
#include "kernels/weight_rows-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {

// ---- Batched products (n >= kGemmMinTokens): packed activations, widened weight panels ----
//
// The dot-product tiles above end every tile with horizontal sums and widen each weight vector
// for only 4 tokens. For a batch the kernel below instead vectorizes over tokens: x is packed
// once per call as x^T in blocks of two vectors of tokens, a panel of kPanelJ weight rows is
// widened to f32 once per k block (contiguous, no transpose), and the micro-kernel keeps
// kPanelJ x 2 vector accumulators: per k, 2 loads of packed x and kPanelJ broadcast weights
// feed 2 * kPanelJ FMAs (6 x 2 = 12 accumulators + 3 operands fit AVX2's 16 registers). Each
// widened panel is reused by every token block of a group, so widening costs a few percent.
// The accumulators hold out^T; they go to a transposed buffer with vector stores, and out is
// written from it once per call (scalar stores to out once per k block cost noticeably more).
// Below 32 tokens the tiles win: a 16-token block widens a panel for itself alone, and a second,
// partial block wastes most of its micro-tiles (docs/design-measurements.md, "Batched
// products: output buffer and threshold").
constexpr size_t kGemmMinTokens = 32;
constexpr size_t kPanelJ = 6;         // weight rows per micro-tile
constexpr size_t kBlockK = 256;       // k block: a widened panel is 6 KiB, a token block 16 KiB
constexpr size_t kGroupTokens = 128;  // tokens whose packed k block (128 KiB) stays in L2

// Tokens per packed block: two vectors.
HWY_INLINE size_t TokenBlock() { return 2 * hn::Lanes(DF()); }

#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
// dst[c * dst_stride + r] = src[r * src_stride + c] for r, c < 8, through registers as _mm256
// code transposes: interleave 32-bit lanes, then 64-bit lanes (within 128-bit halves), then
// swap halves.
HWY_INLINE void Transpose8x8(const float* HWY_RESTRICT src, size_t src_stride,
                             float* HWY_RESTRICT dst, size_t dst_stride) {
  const hn::FixedTag<float, 8> d8;
  const hn::Repartition<double, decltype(d8)> d64;
  hn::Vec<decltype(d8)> r[8], t[8], u[8];
  for (size_t c = 0; c < 8; ++c) r[c] = hn::LoadU(d8, src + c * src_stride);
  for (size_t c = 0; c < 8; c += 2) {
    t[c] = hn::InterleaveLower(d8, r[c], r[c + 1]);      // r0[0] r1[0] r0[1] r1[1] | [4], [5]
    t[c + 1] = hn::InterleaveUpper(d8, r[c], r[c + 1]);  // [2], [3] | [6], [7]
  }
  for (size_t c = 0; c < 8; c += 4) {
    for (size_t half = 0; half < 2; ++half) {
      const auto a = hn::BitCast(d64, t[c + half]), b = hn::BitCast(d64, t[c + half + 2]);
      u[c + 2 * half] = hn::BitCast(d8, hn::InterleaveLower(d64, a, b));
      u[c + 2 * half + 1] = hn::BitCast(d8, hn::InterleaveUpper(d64, a, b));
    }
  }
  // u[c] for c < 4 holds columns (c, c + 4) of rows 0-3; u[c + 4] the same of rows 4-7.
  for (size_t c = 0; c < 4; ++c) {
    hn::StoreU(hn::ConcatLowerLower(d8, u[c + 4], u[c]), d8, dst + c * dst_stride);
    hn::StoreU(hn::ConcatUpperUpper(d8, u[c + 4], u[c]), d8, dst + (c + 4) * dst_stride);
  }
}
#endif

// xt[(b * cols + k) * nt + l] = x[b * nt + l, k], zero for tokens past n.
void PackTransposed(const float* x, size_t x_stride, size_t n, size_t cols, float* xt) {
  const size_t nt = TokenBlock();
  const size_t blocks = (n + nt - 1) / nt;
  for (size_t b = 0; b < blocks; ++b) {
    float* dst = xt + b * cols * nt;  // (cols, nt)
    size_t l = 0;
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
    // Whole groups of 8 tokens, 8 columns at a time.
    for (; l + 8 <= nt && b * nt + l + 8 <= n; l += 8) {
      const float* src = x + (b * nt + l) * x_stride;  // (8 tokens, cols)
      size_t k = 0;
      for (; k + 8 <= cols; k += 8) Transpose8x8(src + k, x_stride, dst + k * nt + l, nt);
      for (; k < cols; ++k) {
        for (size_t i = 0; i < 8; ++i) dst[k * nt + l + i] = src[i * x_stride + k];
      }
    }
#endif
    for (; l < nt; ++l) {
      const size_t i = b * nt + l;
      if (i < n) {
        const float* src = x + i * x_stride;  // (cols)
        for (size_t k = 0; k < cols; ++k) dst[k * nt + l] = src[k];
      } else {
        for (size_t k = 0; k < cols; ++k) dst[k * nt + l] = 0.0f;
      }
    }
  }
}

// dst[k - k0] = w[j, k] for k0 <= k < k1.
template <class Rows>
HWY_INLINE void WidenSpan(const Rows& w, size_t j, size_t k0, size_t k1, float* HWY_RESTRICT dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t k = k0;
  for (; k + lanes <= k1; k += lanes) hn::Store(w.Load(df, j, k), df, dst + (k - k0));
  for (; k < k1; ++k) dst[k - k0] = w.At(j, k);
}

// The same for quantized rows (k0 and k1 at group boundaries), each group's scale decoded once.
template <WeightType kType>
HWY_INLINE void WidenSpan(const BlockRows<kType>& w, size_t j, size_t k0, size_t k1,
                          float* HWY_RESTRICT dst) {
  using Q = Quant<kType>;
  const DF df;
  const size_t lanes = hn::Lanes(df);
  constexpr size_t kBlock = BlockFormatOf(kType).weights;
  for (size_t k = k0; k < k1; k += Q::kGroup) {
    const uint8_t* b = w.Block(j, k);
    float a, m;
    Q::Scale(b, k % kBlock / Q::kGroup, &a, &m);
    for (size_t o = 0; o < Q::kGroup; o += lanes) {
      hn::Store(GroupWeights<kType>(df, a, m, Q::Quants(df, b, k % kBlock + o)), df,
                dst + (k - k0) + o);
    }
  }
}

// wp[j * kBlockK + k - k0] = w[j0 + j, k] for k0 <= k < k1, zero rows past nj.
template <class Rows>
void WidenPanel(const Rows& w, size_t j0, size_t nj, size_t k0, size_t k1, float* HWY_RESTRICT wp) {
  for (size_t j = 0; j < kPanelJ; ++j) {
    float* dst = wp + j * kBlockK;
    if (j >= nj) {
      std::fill(dst, dst + (k1 - k0), 0.0f);
      continue;
    }
    WidenSpan(w, j0 + j, k0, k1, dst);
  }
}

// One step along k of MicroTile: 2 vectors of packed tokens against 6 broadcast weights.
HWY_INLINE void MicroStep(DF df, const float* HWY_RESTRICT xk, const float* HWY_RESTRICT wk, VF& a0,
                          VF& a1, VF& a2, VF& a3, VF& a4, VF& a5, VF& b0, VF& b1, VF& b2, VF& b3,
                          VF& b4, VF& b5) {
  const size_t lanes = hn::Lanes(df);
  const VF x0 = hn::Load(df, xk);
  const VF x1 = hn::Load(df, xk + lanes);
  VF w = hn::Set(df, wk[0]);
  a0 = hn::MulAdd(w, x0, a0);
  b0 = hn::MulAdd(w, x1, b0);
  w = hn::Set(df, wk[kBlockK]);
  a1 = hn::MulAdd(w, x0, a1);
  b1 = hn::MulAdd(w, x1, b1);
  w = hn::Set(df, wk[2 * kBlockK]);
  a2 = hn::MulAdd(w, x0, a2);
  b2 = hn::MulAdd(w, x1, b2);
  w = hn::Set(df, wk[3 * kBlockK]);
  a3 = hn::MulAdd(w, x0, a3);
  b3 = hn::MulAdd(w, x1, b3);
  w = hn::Set(df, wk[4 * kBlockK]);
  a4 = hn::MulAdd(w, x0, a4);
  b4 = hn::MulAdd(w, x1, b4);
  w = hn::Set(df, wk[5 * kBlockK]);
  a5 = hn::MulAdd(w, x0, a5);
  b5 = hn::MulAdd(w, x1, b5);
}

// outt[j, i] (+)= sum_{k < kc} xt[k, i] * wp[j, k] for i < 2 vectors, j < kPanelJ: the
// accumulators hold out^T, so they go to a transposed tile with row stride ld (vector stores;
// GemmPanels transposes once per call, not once per k block).
HWY_NOINLINE void MicroTile(const float* HWY_RESTRICT xt, const float* HWY_RESTRICT wp, size_t kc,
                            float* HWY_RESTRICT outt, size_t ld, bool accumulate) {
  static_assert(kPanelJ == 6, "the accumulators below are written out for 6 rows");
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t nt = 2 * lanes;
  VF a0 = hn::Zero(df), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;  // tokens [0, lanes)
  VF b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;            // tokens [lanes, nt)
  // Unrolled by 4: the loop's own instructions are a quarter as many (on the AVX2 cores measured
  // every instruction beside the FMAs costs FMA throughput: docs/benchmarks-model.md).
  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    MicroStep(df, xt + k * nt, wp + k, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
    MicroStep(df, xt + (k + 1) * nt, wp + k + 1, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
    MicroStep(df, xt + (k + 2) * nt, wp + k + 2, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
    MicroStep(df, xt + (k + 3) * nt, wp + k + 3, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
  }
  for (; k < kc; ++k) {
    MicroStep(df, xt + k * nt, wp + k, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
  }
  if (accumulate) {
    a0 = hn::Add(a0, hn::Load(df, outt)), b0 = hn::Add(b0, hn::Load(df, outt + lanes));
    a1 = hn::Add(a1, hn::Load(df, outt + ld)), b1 = hn::Add(b1, hn::Load(df, outt + ld + lanes));
    a2 = hn::Add(a2, hn::Load(df, outt + 2 * ld));
    b2 = hn::Add(b2, hn::Load(df, outt + 2 * ld + lanes));
    a3 = hn::Add(a3, hn::Load(df, outt + 3 * ld));
    b3 = hn::Add(b3, hn::Load(df, outt + 3 * ld + lanes));
    a4 = hn::Add(a4, hn::Load(df, outt + 4 * ld));
    b4 = hn::Add(b4, hn::Load(df, outt + 4 * ld + lanes));
    a5 = hn::Add(a5, hn::Load(df, outt + 5 * ld));
    b5 = hn::Add(b5, hn::Load(df, outt + 5 * ld + lanes));
  }
  hn::Store(a0, df, outt), hn::Store(b0, df, outt + lanes);
  hn::Store(a1, df, outt + ld), hn::Store(b1, df, outt + ld + lanes);
  hn::Store(a2, df, outt + 2 * ld), hn::Store(b2, df, outt + 2 * ld + lanes);
  hn::Store(a3, df, outt + 3 * ld), hn::Store(b3, df, outt + 3 * ld + lanes);
  hn::Store(a4, df, outt + 4 * ld), hn::Store(b4, df, outt + 4 * ld + lanes);
  hn::Store(a5, df, outt + 5 * ld), hn::Store(b5, df, outt + 5 * ld + lanes);
}

// Panels [p_begin, p_end) of kPanelJ rows of w against all n packed tokens. kSubPanels
// panels are widened together (48 KiB, in L2) and each token block's packed x (16 KiB) then
// meets all of them while it sits in L1: the micro-tile reads 2 vectors of x per step but only
// 6 broadcast weights, so x is the operand to keep closest.
constexpr size_t kSubPanels = 8;

// Spreads software prefetches of the weights that the next widening will read over the
// micro-tiles of the current one. The weights come from memory (each is used by one batch
// only), in short pieces (kPanelJ rows of kBlockK elements, 1-2 KiB each) that the hardware
// prefetcher does not pick up in time: without this the widening stalls on memory latency
// (perf: most of GemmPanels' own samples sat on the load of the weights). They go to L2, not
// L1: the next group's weights (up to 24 KiB) would push the token block and the widened
// panels that the micro-tiles are reading out of L1. The prefetches raised the share of peak
// on one thread and on two (docs/design-measurements.md, "Batched products: prefetching the
// next panels").
template <class Rows>
class PanelPrefetcher {
 public:
  PanelPrefetcher(const Rows& w, size_t rows) : w_(w), rows_(rows) {}

  // The weights of panels [ps, pe), columns [k0, k1), over `calls` calls of Step().
  void Plan(size_t ps, size_t pe, size_t k0, size_t k1, size_t calls) {
    j_begin_ = ps * kPanelJ;
    j_end_ = std::min(rows_, pe * kPanelJ);
    k0_ = k0;
    row_bytes_ = static_cast<size_t>(w_.Addr(0, k1) - w_.Addr(0, k0));
    lines_per_row_ = (row_bytes_ + 63) / 64;
    total_ = j_end_ > j_begin_ ? (j_end_ - j_begin_) * lines_per_row_ : 0;
    per_call_ = calls == 0 ? total_ : (total_ + calls - 1) / calls;
    done_ = 0;
  }

  void Step() {
    for (size_t end = std::min(total_, done_ + per_call_); done_ < end; ++done_) {
      const size_t j = j_begin_ + done_ / lines_per_row_;
      __builtin_prefetch(w_.Addr(j, k0_) + (done_ % lines_per_row_) * 64, /*rw=*/0,
                         /*locality=*/2);  // prefetcht1: into L2
    }
  }

 private:
  const Rows& w_;
  size_t rows_;
  size_t j_begin_ = 0, j_end_ = 0, k0_ = 0, row_bytes_ = 0, lines_per_row_ = 1;
  size_t total_ = 0, per_call_ = 0, done_ = 0;
};

// out[i, j] = outt[(j - j_begin) * ld + i] for i < n, j_begin <= j < j_end: the batched
// product's result, from the transposed layout its micro-tiles write.
void WriteTransposed(const float* HWY_RESTRICT outt, size_t ld, size_t n, size_t j_begin,
                     size_t j_end, float* HWY_RESTRICT out, size_t out_stride) {
  size_t i0 = 0;
#if HWY_TARGET <= HWY_AVX2 && HWY_ARCH_X86
  for (; i0 + 8 <= n; i0 += 8) {
    size_t j = j_begin;
    for (; j + 8 <= j_end; j += 8) {
      // (8 rows of w, stride ld) x 8 tokens -> (8 tokens, stride out_stride) x 8 rows of w
      Transpose8x8(outt + (j - j_begin) * ld + i0, ld, out + i0 * out_stride + j, out_stride);
    }
    for (; j < j_end; ++j) {
      for (size_t i = i0; i < i0 + 8; ++i) out[i * out_stride + j] = outt[(j - j_begin) * ld + i];
    }
  }
#endif
  for (; i0 < n; ++i0) {
    for (size_t j = j_begin; j < j_end; ++j) {
      out[i0 * out_stride + j] = outt[(j - j_begin) * ld + i0];
    }
  }
}

// The calling thread's transposed output tile, kept between calls like PackBuffer's.
float* OutTBuffer(size_t floats) {
  thread_local hwy::AlignedFreeUniquePtr<float[]> buffer;
  thread_local size_t capacity = 0;
  if (floats > capacity) {
    buffer = hwy::AllocateAligned<float>(floats);
    capacity = floats;
  }
  return buffer.get();
}

template <class Rows>
void GemmPanels(const float* xt, size_t n, size_t cols, const Rows& w, size_t rows, size_t p_begin,
                size_t p_end, float* out, size_t out_stride) {
  const size_t nt = TokenBlock();
  thread_local hwy::AlignedFreeUniquePtr<float[]> wbuf;
  if (!wbuf) wbuf = hwy::AllocateAligned<float>(kSubPanels * kPanelJ * kBlockK);
  float* wp = wbuf.get();                                      // (kSubPanels, kPanelJ, kBlockK)
  const size_t ld = (n + nt - 1) / nt * nt;                    // tokens, padded to whole blocks
  float* outt = OutTBuffer((p_end - p_begin) * kPanelJ * ld);  // ((p_end - p_begin) * kPanelJ, ld)
  PanelPrefetcher<Rows> prefetch(w, rows);
  // One widening: panels [ps, pe) at columns [k0, k0 + kBlockK), then the token blocks of
  // [i0, i1) against them, while the weights of the next widening (panels [nps, npe) at nk0;
  // none when nps == npe) are prefetched.
  const auto widen_and_multiply = [&](size_t i0, size_t i1, size_t ps, size_t pe, size_t k0,
                                      size_t nps, size_t npe, size_t nk0) {
    const size_t k1 = std::min(cols, k0 + kBlockK);
    for (size_t p = ps; p < pe; ++p) {
      const size_t j0 = p * kPanelJ;
      WidenPanel(w, j0, std::min(kPanelJ, rows - j0), k0, k1, wp + (p - ps) * kPanelJ * kBlockK);
    }
    const size_t blocks = (i1 - i0 + nt - 1) / nt;
    prefetch.Plan(nps, npe, nk0, std::min(cols, nk0 + kBlockK), blocks * (pe - ps));
    for (size_t i = i0; i < i1; i += nt) {
      const float* xb = xt + ((i / nt) * cols + k0) * nt;  // (k1 - k0, nt)
      for (size_t p = ps; p < pe; ++p) {
        const size_t j0 = p * kPanelJ;
        prefetch.Step();
        MicroTile(xb, wp + (p - ps) * kPanelJ * kBlockK, k1 - k0,
                  outt + (j0 - p_begin * kPanelJ) * ld + i, ld, k0 > 0);
      }
    }
  };
  for (size_t i0 = 0; i0 < n; i0 += kGroupTokens) {
    const size_t i1 = std::min(n, i0 + kGroupTokens);
    if (i1 - i0 <= nt) {
      // One token block (the last group of a batch past 128 tokens, such as 130): a widened
      // panel serves it alone, so each group of panels walks all of k before the next group,
      // and its rows are read front to back. The k-outer order reads each row in 512-byte
      // pieces far apart in time, and the widening stalls on them; this order was faster
      // (docs/design-measurements.md, "Batched products: one token block").
      for (size_t ps = p_begin; ps < p_end; ps += kSubPanels) {
        const size_t pe = std::min(p_end, ps + kSubPanels);
        for (size_t k0 = 0; k0 < cols; k0 += kBlockK) {
          if (k0 + kBlockK < cols) {
            widen_and_multiply(i0, i1, ps, pe, k0, ps, pe, k0 + kBlockK);
          } else {
            widen_and_multiply(i0, i1, ps, pe, k0, pe, std::min(p_end, pe + kSubPanels), 0);
          }
        }
      }
      continue;
    }
    // Several token blocks: every widened panel is reused by each of them, k outermost.
    for (size_t k0 = 0; k0 < cols; k0 += kBlockK) {
      for (size_t ps = p_begin; ps < p_end; ps += kSubPanels) {
        const size_t pe = std::min(p_end, ps + kSubPanels);
        if (pe < p_end) {  // next: the next panels at this k, or the first ones at the next k
          widen_and_multiply(i0, i1, ps, pe, k0, pe, std::min(p_end, pe + kSubPanels), k0);
        } else if (k0 + kBlockK < cols) {
          widen_and_multiply(i0, i1, ps, pe, k0, p_begin, std::min(p_end, p_begin + kSubPanels),
                             k0 + kBlockK);
        } else {
          widen_and_multiply(i0, i1, ps, pe, k0, 0, 0, 0);
        }
      }
    }
  }
  WriteTransposed(outt, ld, n, p_begin * kPanelJ, std::min(rows, p_end * kPanelJ), out, out_stride);
}

// The packed x of the calling thread, kept between calls so that a prefill does not map and
// fault in fresh pages for every product.
float* PackBuffer(size_t floats) {
  thread_local hwy::AlignedFreeUniquePtr<float[]> buffer;
  thread_local size_t capacity = 0;
  if (floats > capacity) {
    buffer = hwy::AllocateAligned<float>(floats);
    capacity = floats;
  }
  return buffer.get();
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#endif  // include guard
