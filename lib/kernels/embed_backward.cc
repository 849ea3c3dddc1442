// The embedding backward pass on the CPU:
//   d_values[t]         = dot(d_out[t, :], table[ids[t], :])     (one token per row, parallel)
//   d_table[ids[t], :] += d_out[t, :] * values[t]                (scatter-add over repeated ids)
//
// The scatter-add is made race-free and deterministic by grouping (id_runs.h): each run of equal
// ids belongs to one thread, which adds the run's tokens into the row in token order. Every
// element thus sees the same additions in the same order as the serial loop, whatever the
// thread count.
//
// Compiled once per Highway target through foreach_target.h; see embed.cc.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/embed_backward.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/embed_internal.h"
#include "kernels/embed_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Tokens [begin, end): d_values[t] = dot(d_out[t, :], table[ids[t], :]), summed in f32 over
// two vectors of lanes, then across lanes, then the scalar tail.
template <typename TGrad, typename TTable>
void DValuesRowsT(const EmbedBackwardArgs& args, size_t begin, size_t end) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const size_t hidden = args.table.cols;
  const TTable* HWY_RESTRICT table = static_cast<const TTable*>(args.table.data);  // (vocab,.)
  const TGrad* HWY_RESTRICT d_out = static_cast<const TGrad*>(args.d_out.data);  // (tokens,.)
  for (size_t t = begin; t < end; ++t) {
    const TGrad* HWY_RESTRICT g = d_out + t * args.d_out.row_stride;  // (hidden)
    const TTable* HWY_RESTRICT w =
        table + static_cast<size_t>(args.ids[t]) * args.table.row_stride;  // (hidden)
    auto sum0 = hn::Zero(df);
    auto sum1 = hn::Zero(df);
    size_t i = 0;
    for (; i + 2 * lanes <= hidden; i += 2 * lanes) {
      sum0 = hn::MulAdd(LoadF32(df, g + i), LoadF32(df, w + i), sum0);
      sum1 = hn::MulAdd(LoadF32(df, g + i + lanes), LoadF32(df, w + i + lanes), sum1);
    }
    float sum = hn::GetLane(hn::SumOfLanes(df, hn::Add(sum0, sum1)));
    for (; i < hidden; ++i) sum += ScalarToF32(g[i]) * ScalarToF32(w[i]);
    args.d_values[t] = sum;
  }
}

// Runs [begin_run, end_run) of the sorted schedule: each run's tokens are added into their
// shared row of d_table, a vector's worth of columns at a time, in token order.
template <typename TGrad, bool kScale>
void DTableRunsT(const EmbedBackwardArgs& args, size_t begin_run, size_t end_run) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const size_t hidden = args.table.cols;
  const TGrad* HWY_RESTRICT d_out = static_cast<const TGrad*>(args.d_out.data);  // (tokens,.)
  float* HWY_RESTRICT d_table = static_cast<float*>(args.d_table.data);         // (vocab, .)
  for (size_t r = begin_run; r < end_run; ++r) {
    const size_t first = args.run_starts[r];
    const size_t last = args.run_starts[r + 1];
    const size_t row = static_cast<size_t>(args.ids[args.order[first]]);
    float* HWY_RESTRICT dst = d_table + row * args.d_table.row_stride;  // (hidden)
    size_t i = 0;
    for (; i + lanes <= hidden; i += lanes) {
      auto acc = hn::LoadU(df, dst + i);
      for (size_t k = first; k < last; ++k) {
        const size_t t = args.order[k];
        const auto g = LoadF32(df, d_out + t * args.d_out.row_stride + i);
        acc = kScale ? hn::MulAdd(g, hn::Set(df, args.values[t]), acc) : hn::Add(acc, g);
      }
      hn::StoreU(acc, df, dst + i);
    }
    for (; i < hidden; ++i) {
      float acc = dst[i];
      for (size_t k = first; k < last; ++k) {
        const size_t t = args.order[k];
        const float g = ScalarToF32(d_out[t * args.d_out.row_stride + i]);
        acc += kScale ? g * args.values[t] : g;
      }
      dst[i] = acc;
    }
  }
}

template <typename TGrad>
void DValuesRowsForGrad(const EmbedBackwardArgs& args, size_t begin, size_t end) {
  switch (args.table.dtype) {
    case DType::kF32:
      return DValuesRowsT<TGrad, float>(args, begin, end);
    case DType::kBF16:
      return DValuesRowsT<TGrad, hwy::bfloat16_t>(args, begin, end);
    case DType::kF16:
      return DValuesRowsT<TGrad, hwy::float16_t>(args, begin, end);
  }
}

// Dispatched entries; dtypes were validated by the caller (d_out f32/bf16, d_table f32).
void DValuesRows(const EmbedBackwardArgs& args, size_t begin, size_t end) {
  if (args.d_out.dtype == DType::kF32) {
    DValuesRowsForGrad<float>(args, begin, end);
  } else {
    DValuesRowsForGrad<hwy::bfloat16_t>(args, begin, end);
  }
}

void DTableRuns(const EmbedBackwardArgs& args, size_t begin_run, size_t end_run) {
  const bool scale = args.values != nullptr;
  if (args.d_out.dtype == DType::kF32) {
    scale ? DTableRunsT<float, true>(args, begin_run, end_run)
          : DTableRunsT<float, false>(args, begin_run, end_run);
  } else {
    scale ? DTableRunsT<hwy::bfloat16_t, true>(args, begin_run, end_run)
          : DTableRunsT<hwy::bfloat16_t, false>(args, begin_run, end_run);
  }
}

const char* TargetNameForBackward() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kernels/embed_validate.h"
#include "kernels/id_runs.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"

namespace xval::kernels {

HWY_EXPORT(DValuesRows);
HWY_EXPORT(DTableRuns);
HWY_EXPORT(TargetNameForBackward);

namespace {

// Bytes a thread takes at a time (see embed.cc).
constexpr size_t kChunkBytes = size_t{256} << 10;

size_t GrainFor(size_t bytes_per_item) {
  return bytes_per_item >= kChunkBytes ? 1 : kChunkBytes / std::max<size_t>(bytes_per_item, 1);
}

}  // namespace

const char* EmbedBackwardDispatchedTargetName() {
  return HWY_DYNAMIC_DISPATCH(TargetNameForBackward)();
}

absl::Status EmbedBackward(ConstMatrixView table, absl::Span<const int32_t> ids,
                           absl::Span<const float> values, ConstMatrixView d_out,
                           MatrixView d_table, absl::Span<float> d_values,
                           const EmbedBackwardOptions& options) {
  RETURN_IF_ERROR(ValidateEmbedBackwardArgs(table, ids, values, d_out, d_table, d_values));
  RETURN_IF_ERROR(CheckIds(ids, table.rows));
  const size_t num_tokens = ids.size();
  if (num_tokens > UINT32_MAX) {  // the schedule below indexes tokens with uint32
    return absl::InvalidArgumentError(
        absl::StrCat(num_tokens, " tokens in one call; EmbedBackward takes at most ", UINT32_MAX));
  }
  const size_t hidden = table.cols;
  EmbedBackwardArgs args{table,   ids.data(), values.empty() ? nullptr : values.data(),
                         d_out,   d_table,    d_values.empty() ? nullptr : d_values.data(),
                         nullptr, nullptr};

  if (args.d_values != nullptr) {
    const size_t row_bytes = hidden * (DTypeSize(d_out.dtype) + DTypeSize(table.dtype));
    util::ParallelFor(
        num_tokens, GrainFor(row_bytes),
        [&args](size_t begin, size_t end) {
          HWY_DYNAMIC_DISPATCH(DValuesRows)(args, begin, end);
        },
        options.max_threads);
  }

  if (IsAbsent(d_table) || num_tokens == 0 || hidden == 0) return absl::OkStatus();
  const IdRuns runs = SortTokensById(ids);
  const size_t num_runs = runs.num_runs();
  args.order = runs.order.data();
  args.run_starts = runs.run_starts.data();

  // A run costs about its tokens' d_out rows plus one read and write of its table row; the
  // grain uses the mean so that a long run does not make every chunk huge.
  const size_t mean_run_bytes =
      hidden * (num_tokens * DTypeSize(d_out.dtype) + num_runs * 8) / num_runs;
  util::ParallelFor(
      num_runs, GrainFor(mean_run_bytes),
      [&args](size_t begin, size_t end) { HWY_DYNAMIC_DISPATCH(DTableRuns)(args, begin, end); },
      options.max_threads);
  return absl::OkStatus();
}

}  // namespace xval::kernels
#endif  // HWY_ONCE
