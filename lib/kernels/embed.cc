// The embedding forward pass on the CPU: a gather of table rows, widened to f32, scaled by the
// token's xVal value and narrowed to the output type, one token per row. It is pure memory
// traffic, so the kernel streams each row once with full vectors and leaves the rest to the
// memory system; see docs/benchmarks-embed.md for how close it gets to memcpy.
//
// Structure follows Highway's skeleton example: this file is compiled once per target through
// foreach_target.h, and the public entry point at the bottom dispatches at run time.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/embed.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/embed_internal.h"
#include "kernels/embed_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Elements to write one at a time before `dst` reaches `vector_bytes` alignment, or `hidden`
// (everything scalar) when it never can, because dst is not even element-aligned.
template <typename TOut>
HWY_INLINE size_t PeelForAlignment(const TOut* dst, size_t vector_bytes, size_t hidden) {
  const size_t misalignment = reinterpret_cast<uintptr_t>(dst) % vector_bytes;
  if (misalignment % sizeof(TOut) != 0) return hidden;
  const size_t peel = (vector_bytes - misalignment) % vector_bytes / sizeof(TOut);
  return peel < hidden ? peel : hidden;
}

// Tokens [begin, end): out[t, :] = table[ids[t], :] (* values[t] when kScale).
template <typename TIn, typename TOut, bool kScale, bool kStream>
void EmbedRowsT(const EmbedArgs& args, size_t begin, size_t end) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const size_t hidden = args.table.cols;
  const TIn* HWY_RESTRICT table = static_cast<const TIn*>(args.table.data);  // (vocab, stride)
  TOut* HWY_RESTRICT out = static_cast<TOut*>(args.out.data);  // (num_tokens, stride)
  for (size_t t = begin; t < end; ++t) {
    const TIn* HWY_RESTRICT src =
        table + static_cast<size_t>(args.ids[t]) * args.table.row_stride;  // (hidden)
    TOut* HWY_RESTRICT dst = out + t * args.out.row_stride;               // (hidden)
    // The next token's row, fetched while this one is copied: rows are scattered through the
    // table, and the hardware prefetcher only finds each one after its first few misses.
    const char* next_src =
        t + 1 < end ? reinterpret_cast<const char*>(
                          table + static_cast<size_t>(args.ids[t + 1]) * args.table.row_stride)
                    : nullptr;
    const float scale = kScale ? args.values[t] : 1.0f;
    const auto vscale = hn::Set(df, scale);
    size_t i = 0;
    // Non-temporal stores need aligned addresses; rows may start anywhere, so the first few
    // elements of a row go through the scalar path.
    const size_t peel = kStream ? PeelForAlignment(dst, lanes * sizeof(float), hidden) : 0;
    for (; i < peel; ++i) {
      ScalarFromF32(kScale ? ScalarToF32(src[i]) * scale : ScalarToF32(src[i]), dst + i);
    }
#if HWY_TARGET != HWY_SCALAR
    if constexpr (sizeof(TIn) == 2 && std::is_same_v<TOut, hwy::bfloat16_t>) {
      // 16-bit to bf16: the shuffle-free even/odd layout (see embed_simd-inl.h).
      for (; i + 2 * lanes <= hidden; i += 2 * lanes) {
        if (next_src != nullptr) hwy::Prefetch(next_src + i * sizeof(TIn));
        hn::Vec<decltype(df)> even, odd;
        LoadF32EvenOdd(df, src + i, even, odd);
        if (kScale) {
          even = hn::Mul(even, vscale);
          odd = hn::Mul(odd, vscale);
        }
        StoreBf16EvenOdd<kStream>(df, even, odd, dst + i);
      }
    }
#endif
    for (; i + 2 * lanes <= hidden; i += 2 * lanes) {
      if (next_src != nullptr) hwy::Prefetch(next_src + i * sizeof(TIn));
      auto v0 = LoadF32(df, src + i);
      auto v1 = LoadF32(df, src + i + lanes);
      if (kScale) {
        v0 = hn::Mul(v0, vscale);
        v1 = hn::Mul(v1, vscale);
      }
      Store2<kStream>(df, v0, v1, dst + i);
    }
    for (; i < hidden; ++i) {
      ScalarFromF32(kScale ? ScalarToF32(src[i]) * scale : ScalarToF32(src[i]), dst + i);
    }
  }
  // Non-temporal stores are weakly ordered: fence them before another thread reads `out`.
  if (kStream) hwy::FlushStream();
}

template <typename TIn, typename TOut>
void EmbedRowsForTypes(const EmbedArgs& args, size_t begin, size_t end) {
  const bool scale = args.values != nullptr;
  if (args.streaming) {
    scale ? EmbedRowsT<TIn, TOut, true, true>(args, begin, end)
          : EmbedRowsT<TIn, TOut, false, true>(args, begin, end);
  } else {
    scale ? EmbedRowsT<TIn, TOut, true, false>(args, begin, end)
          : EmbedRowsT<TIn, TOut, false, false>(args, begin, end);
  }
}

template <typename TIn>
void EmbedRowsForTable(const EmbedArgs& args, size_t begin, size_t end) {
  if (args.out.dtype == DType::kF32) {
    EmbedRowsForTypes<TIn, float>(args, begin, end);
  } else {
    EmbedRowsForTypes<TIn, hwy::bfloat16_t>(args, begin, end);
  }
}

// The dispatched entry: dtypes were validated by the caller (table f32/bf16/f16, out f32/bf16).
void EmbedRows(const EmbedArgs& args, size_t begin, size_t end) {
  switch (args.table.dtype) {
    case DType::kF32:
      return EmbedRowsForTable<float>(args, begin, end);
    case DType::kBF16:
      return EmbedRowsForTable<hwy::bfloat16_t>(args, begin, end);
    case DType::kF16:
      return EmbedRowsForTable<hwy::float16_t>(args, begin, end);
  }
}

const char* TargetNameForEmbed() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "absl/status/status.h"
#include "kernels/embed_validate.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"

namespace xval::kernels {

HWY_EXPORT(EmbedRows);
HWY_EXPORT(TargetNameForEmbed);

namespace {

// Work handed to a thread at a time: large enough that the pool's per-chunk cost (one atomic)
// vanishes, small enough that two threads stay balanced at a few hundred tokens.
constexpr size_t kChunkBytes = size_t{256} << 10;

// kAuto switches to non-temporal stores at this many output bytes. Below it the output can stay
// in the last-level cache for its next reader and normal stores win; above it normal stores pay
// a read-for-ownership of every output line and evict the table's rows. On a 32 MiB-L3 EPYC,
// normal stores won clearly on small outputs and still won or drew at 8 MiB, and streaming won
// from 32 MiB (docs/design-measurements.md, "Embedding: when kAuto streams its stores").
constexpr size_t kStreamingThresholdBytes = size_t{16} << 20;

}  // namespace

const char* EmbedDispatchedTargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameForEmbed)(); }

absl::Status Embed(ConstMatrixView table, absl::Span<const int32_t> ids,
                   absl::Span<const float> values, MatrixView out, const EmbedOptions& options) {
  RETURN_IF_ERROR(ValidateEmbedArgs(table, ids, values, out));
  // All ids are checked before anything is written, so an error leaves `out` untouched.
  RETURN_IF_ERROR(CheckIds(ids, table.rows));
  const size_t hidden = table.cols;
  if (ids.empty() || hidden == 0) return absl::OkStatus();

  EmbedArgs args{table, ids.data(), values.empty() ? nullptr : values.data(), out, false};
  const size_t out_row_bytes = hidden * DTypeSize(out.dtype);
  switch (options.stores) {
    case StoreMode::kAuto:
      args.streaming = ids.size() * out_row_bytes >= kStreamingThresholdBytes;
      break;
    case StoreMode::kNormal:
      args.streaming = false;
      break;
    case StoreMode::kStreaming:
      args.streaming = true;
      break;
  }
  const size_t row_bytes = out_row_bytes + hidden * DTypeSize(table.dtype);
  const size_t grain = row_bytes >= kChunkBytes ? 1 : kChunkBytes / row_bytes;
  util::ParallelFor(
      ids.size(), grain,
      [&args](size_t begin, size_t end) { HWY_DYNAMIC_DISPATCH(EmbedRows)(args, begin, end); },
      options.max_threads);
  return absl::OkStatus();
}

}  // namespace xval::kernels
#endif  // HWY_ONCE
