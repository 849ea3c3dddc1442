// The embedding passes in float64 on the CPU (EmbedF64, EmbedBackwardF64; definitions in
// include/xval/embed.h). The same structure as the f32 kernels (embed.cc, embed_backward.cc)
// with one element type, so none of their type dispatch or streaming stores: the float64 path
// serves gradient checks and double-precision training, where tables are small.
//
// Compiled once per Highway target through foreach_target.h; see embed.cc.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/embed_f64.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/embed_internal.h"

HWY_BEFORE_NAMESPACE();
namespace xval::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Tokens [begin, end): out[t, :] = table[ids[t], :] * values[t].
void EmbedRowsF64(const F64Args& a, size_t begin, size_t end) {
  const hn::ScalableTag<double> d;
  const size_t lanes = hn::Lanes(d);
  for (size_t t = begin; t < end; ++t) {
    const double* HWY_RESTRICT src = a.table + static_cast<size_t>(a.ids[t]) * a.hidden;
    double* HWY_RESTRICT dst = a.out + t * a.hidden;  // (hidden)
    const double scale = a.values != nullptr ? a.values[t] : 1.0;
    const auto vscale = hn::Set(d, scale);
    size_t i = 0;
    for (; i + lanes <= a.hidden; i += lanes) {
      hn::StoreU(hn::Mul(hn::LoadU(d, src + i), vscale), d, dst + i);
    }
    for (; i < a.hidden; ++i) dst[i] = src[i] * scale;
  }
}

// Tokens [begin, end): d_values[t] = dot(d_out[t, :], table[ids[t], :]).
void DValuesRowsF64(const F64Args& a, size_t begin, size_t end) {
  const hn::ScalableTag<double> d;
  const size_t lanes = hn::Lanes(d);
  for (size_t t = begin; t < end; ++t) {
    const double* HWY_RESTRICT g = a.d_out + t * a.hidden;                              // (hidden)
    const double* HWY_RESTRICT w = a.table + static_cast<size_t>(a.ids[t]) * a.hidden;  // (hidden)
    auto sum = hn::Zero(d);
    size_t i = 0;
    for (; i + lanes <= a.hidden; i += lanes) {
      sum = hn::MulAdd(hn::LoadU(d, g + i), hn::LoadU(d, w + i), sum);
    }
    double total = hn::GetLane(hn::SumOfLanes(d, sum));
    for (; i < a.hidden; ++i) total += g[i] * w[i];
    a.d_values[t] = total;
  }
}

// Runs [begin_run, end_run) of the schedule: each run's tokens added into their row in token
// order.
void DTableRunsF64(const F64Args& a, size_t begin_run, size_t end_run) {
  const hn::ScalableTag<double> d;
  const size_t lanes = hn::Lanes(d);
  for (size_t r = begin_run; r < end_run; ++r) {
    const size_t first = a.run_starts[r], last = a.run_starts[r + 1];
    double* HWY_RESTRICT dst = a.d_table + static_cast<size_t>(a.ids[a.order[first]]) * a.hidden;
    size_t i = 0;
    for (; i + lanes <= a.hidden; i += lanes) {
      auto acc = hn::LoadU(d, dst + i);
      for (size_t k = first; k < last; ++k) {
        const size_t t = a.order[k];
        const auto g = hn::LoadU(d, a.d_out + t * a.hidden + i);
        acc = a.values != nullptr ? hn::MulAdd(g, hn::Set(d, a.values[t]), acc) : hn::Add(acc, g);
      }
      hn::StoreU(acc, d, dst + i);
    }
    for (; i < a.hidden; ++i) {
      double acc = dst[i];
      for (size_t k = first; k < last; ++k) {
        const size_t t = a.order[k];
        const double g = a.d_out[t * a.hidden + i];
        acc += a.values != nullptr ? g * a.values[t] : g;
      }
      dst[i] = acc;
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace xval::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kernels/embed_validate.h"
#include "kernels/id_runs.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"
#include "xval/embed.h"

namespace xval::kernels {

HWY_EXPORT(EmbedRowsF64);
HWY_EXPORT(DValuesRowsF64);
HWY_EXPORT(DTableRunsF64);

namespace {

// Rows a thread takes at a time: about 256 KiB of doubles (see embed.cc).
size_t GrainF64(size_t hidden) {
  const size_t row_bytes = hidden * 2 * sizeof(double);
  return row_bytes >= (size_t{256} << 10) ? 1 : (size_t{256} << 10) / row_bytes;
}

// The checks shared by both passes: a positive hidden that divides the table, one value per token
// (or none), a token count the schedule can index, and every id inside the table.
absl::Status CheckF64Shapes(absl::Span<const double> table, size_t hidden,
                            absl::Span<const int32_t> ids, absl::Span<const double> values) {
  if (hidden == 0 || table.size() % hidden != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("table: ", table.size(), " elements is not a whole number of rows of ", hidden,
                     " (hidden must be positive: it is what gives the table its rows)"));
  }
  if (!values.empty() && values.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("values: ", values.size(), " for ", ids.size(), " ids"));
  }
  if (ids.size() > UINT32_MAX) {  // the backward schedule indexes tokens with uint32
    return absl::InvalidArgumentError(absl::StrCat(
        ids.size(), " tokens in one call; the float64 kernels take at most ", UINT32_MAX));
  }
  return CheckIds(ids, table.size() / hidden);
}

absl::Status CheckSize(const char* name, size_t size, size_t expected, bool may_be_empty) {
  if (size == expected || (may_be_empty && size == 0)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": ", size, " elements where ", expected, " were expected"));
}

}  // namespace

absl::Status EmbedF64(absl::Span<const double> table, size_t hidden, absl::Span<const int32_t> ids,
                      absl::Span<const double> values, absl::Span<double> out,
                      const EmbedOptions& options) {
  RETURN_IF_ERROR(CheckF64Shapes(table, hidden, ids, values));
  RETURN_IF_ERROR(CheckSize("out", out.size(), ids.size() * hidden, false));
  if (out.empty()) return absl::OkStatus();
  F64Args args{};
  args.table = table.data();
  args.hidden = hidden;
  args.ids = ids.data();
  args.values = values.empty() ? nullptr : values.data();
  args.out = out.data();
  util::ParallelFor(
      ids.size(), GrainF64(hidden),
      [&args](size_t begin, size_t end) {
        HWY_DYNAMIC_DISPATCH(EmbedRowsF64)(args, begin, end);
      },
      options.max_threads);
  return absl::OkStatus();
}

absl::Status EmbedBackwardF64(absl::Span<const double> table, size_t hidden,
                              absl::Span<const int32_t> ids, absl::Span<const double> values,
                              absl::Span<const double> d_out, absl::Span<double> d_table,
                              absl::Span<double> d_values, const EmbedBackwardOptions& options) {
  RETURN_IF_ERROR(CheckF64Shapes(table, hidden, ids, values));
  RETURN_IF_ERROR(CheckSize("d_out", d_out.size(), ids.size() * hidden, false));
  RETURN_IF_ERROR(CheckSize("d_table", d_table.size(), table.size(), true));
  RETURN_IF_ERROR(CheckSize("d_values", d_values.size(), ids.size(), true));
  if (ids.empty()) return absl::OkStatus();
  F64Args args{};
  args.table = table.data();
  args.hidden = hidden;
  args.ids = ids.data();
  args.values = values.empty() ? nullptr : values.data();
  args.d_out = d_out.data();
  args.d_table = d_table.empty() ? nullptr : d_table.data();
  args.d_values = d_values.empty() ? nullptr : d_values.data();
  if (args.d_values != nullptr) {
    util::ParallelFor(
        ids.size(), GrainF64(hidden),
        [&args](size_t begin, size_t end) {
          HWY_DYNAMIC_DISPATCH(DValuesRowsF64)(args, begin, end);
        },
        options.max_threads);
  }
  if (args.d_table == nullptr) return absl::OkStatus();
  const IdRuns runs = SortTokensById(ids);
  args.order = runs.order.data();
  args.run_starts = runs.run_starts.data();
  util::ParallelFor(
      runs.num_runs(), GrainF64(hidden) / 4 + 1,
      [&args](size_t begin, size_t end) {
        HWY_DYNAMIC_DISPATCH(DTableRunsF64)(args, begin, end);
      },
      options.max_threads);
  return absl::OkStatus();
}

}  // namespace xval::kernels
#endif  // HWY_ONCE
