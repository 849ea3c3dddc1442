// The number encodings' fused embeddings on CUDA GPUs (FoNE, BitTokens): after the plain
// lookup (embed.cu), one thread block per [NUM] token rewrites its row. Each thread computes
// its own columns' features, as the CPU defines them (kernels/fone_features.h,
// bit_token_features.h): FoNE's cos/sin in float64 of x * ((1 / T_j) * 2 pi), rounded to f32 and
// added to the table element; BitTokens' bit of the float64 (sign first), then of its reciprocal,
// times the scale.
#include <cstdint>

#include "cuda/device_convert.cuh"
#include "cuda/embed_launch.h"

namespace xval::kernels::cuda {
namespace {

constexpr int kThreads = 128;
constexpr unsigned kMaxBlocks = 1u << 20;
constexpr double kTwoPi = 2 * 3.141592653589793;

// Column c < 2 * periods of a number's FoNE features (0 for the number 0).
__device__ __forceinline__ float FoneColumn(const NumberRowsLaunch& args, double x, size_t c) {
  if (x == 0) return 0.0f;
  const double phase = x * ((1.0 / args.periods[c / 2]) * kTwoPi);
  return static_cast<float>(c % 2 == 0 ? cos(phase) : sin(phase));
}

// Column c of a number's BitTokens features (0 past them).
__device__ __forceinline__ float BitColumn(const NumberRowsLaunch& args, double x, size_t c) {
  if (c >= (args.reciprocal ? 128u : 64u)) return 0.0f;
  const double source = c < 64 ? x : 1.0 / x;
  const auto bits = static_cast<unsigned long long>(__double_as_longlong(source));
  return ((bits >> (63 - c % 64)) & 1) ? args.scale : -args.scale;
}

// One kernel per encoding (kKind), rewriting the rows of the [NUM] tokens.
template <NumberRows kKind, typename TIn, typename TOut>
__global__ void __launch_bounds__(kThreads) NumberRowsKernel(NumberRowsLaunch args) {
  const TIn* __restrict__ table = static_cast<const TIn*>(args.table.data);  // (vocab, stride)
  TOut* __restrict__ out =
      static_cast<TOut*>(const_cast<void*>(args.out.data));  // (num_tokens, stride)
  const size_t hidden = args.table.cols;
  // FoNE changes only its feature columns; BitTokens writes the whole row.
  const size_t columns =
      kKind == NumberRows::kFone ? min(hidden, 2 * static_cast<size_t>(args.num_periods)) : hidden;
  for (size_t t = blockIdx.x; t < args.num_tokens; t += gridDim.x) {
    const int32_t id = args.ids[t];
    // num_id is inside the table (checked on the host); an id equal to it is too.
    if (id != args.num_id) continue;
    const double x = args.values[t];
    const TIn* __restrict__ src = table + static_cast<size_t>(id) * args.table.row_stride;
    TOut* __restrict__ dst = out + t * args.out.row_stride;  // (hidden)
    for (size_t c = threadIdx.x; c < columns; c += blockDim.x) {
      const float y = kKind == NumberRows::kFone ? ToF32(src[c]) + FoneColumn(args, x, c)
                                                 : BitColumn(args, x, c);
      FromF32(y, dst + c);
    }
  }
}

template <NumberRows kKind, typename TIn>
LaunchResult LaunchForTable(const NumberRowsLaunch& args, cudaStream_t stream) {
  const dim3 grid(
      static_cast<unsigned>(args.num_tokens < kMaxBlocks ? args.num_tokens : kMaxBlocks));
  if (args.out.elem == Elem::kF32) {
    NumberRowsKernel<kKind, TIn, float><<<grid, kThreads, 0, stream>>>(args);
  } else {
    NumberRowsKernel<kKind, TIn, Bf16><<<grid, kThreads, 0, stream>>>(args);
  }
  return {cudaGetLastError(), "NumberRowsKernel launch"};
}

template <NumberRows kKind>
LaunchResult LaunchForKind(const NumberRowsLaunch& args, cudaStream_t stream) {
  switch (args.table.elem) {
    case Elem::kF32:
      return LaunchForTable<kKind, float>(args, stream);
    case Elem::kBF16:
      return LaunchForTable<kKind, Bf16>(args, stream);
    case Elem::kF16:
      return LaunchForTable<kKind, F16>(args, stream);
  }
  return {cudaErrorInvalidValue, "LaunchNumberRows: table element type"};
}

}  // namespace

LaunchResult LaunchNumberRows(const NumberRowsLaunch& args, cudaStream_t stream) {
  if (args.num_tokens == 0) return {};
  return args.kind == NumberRows::kFone ? LaunchForKind<NumberRows::kFone>(args, stream)
                                        : LaunchForKind<NumberRows::kBitTokens>(args, stream);
}

}  // namespace xval::kernels::cuda
