// The embedding forward pass on CUDA GPUs: out[t, :] = table[ids[t], :] * values[t].
//
// One thread block per token (grid-stride beyond the grid), each thread moving 8 elements at a
// time with 16-byte loads and stores when every row is 16-byte aligned, element by element
// otherwise. The scale and the type conversions happen in registers between the load and the
// store, so each byte crosses the memory bus once, which is the whole cost of this kernel.
#include <climits>
#include <cstdint>

#include "cuda/device_convert.cuh"
#include "cuda/embed_launch.h"

namespace xval::kernels::cuda {
namespace {

constexpr int kVec = 8;           // elements per thread per step on the vector path
constexpr int kMaxThreads = 256;  // per block
constexpr unsigned kMaxBlocks = 1u << 20;

// 8 elements at p (16-byte aligned) widened to f32.
__device__ __forceinline__ void Load8(const float* __restrict__ p, float (&x)[kVec]) {
  const float4 a = __ldg(reinterpret_cast<const float4*>(p));
  const float4 b = __ldg(reinterpret_cast<const float4*>(p) + 1);
  x[0] = a.x, x[1] = a.y, x[2] = a.z, x[3] = a.w, x[4] = b.x, x[5] = b.y, x[6] = b.z, x[7] = b.w;
}
template <typename T16>
__device__ __forceinline__ void Load8(const T16* __restrict__ p, float (&x)[kVec]) {
  const uint4 raw = __ldg(reinterpret_cast<const uint4*>(p));
  const uint32_t words[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    x[2 * k] = ToF32(T16{static_cast<uint16_t>(words[k] & 0xFFFFu)});
    x[2 * k + 1] = ToF32(T16{static_cast<uint16_t>(words[k] >> 16)});
  }
}

// 8 f32 results narrowed and stored at p (16-byte aligned).
__device__ __forceinline__ void Store8(const float (&x)[kVec], float* __restrict__ p) {
  reinterpret_cast<float4*>(p)[0] = make_float4(x[0], x[1], x[2], x[3]);
  reinterpret_cast<float4*>(p)[1] = make_float4(x[4], x[5], x[6], x[7]);
}
__device__ __forceinline__ void Store8(const float (&x)[kVec], Bf16* __restrict__ p) {
  uint32_t words[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    words[k] = static_cast<uint32_t>(F32ToBf16(x[2 * k])) |
               (static_cast<uint32_t>(F32ToBf16(x[2 * k + 1])) << 16);
  }
  *reinterpret_cast<uint4*>(p) = make_uint4(words[0], words[1], words[2], words[3]);
}

template <typename TIn, typename TOut, bool kScale, bool kVector>
__global__ void __launch_bounds__(kMaxThreads) EmbedKernel(EmbedLaunch args) {
  const TIn* __restrict__ table = static_cast<const TIn*>(args.table.data);  // (vocab, stride)
  TOut* __restrict__ out =
      static_cast<TOut*>(const_cast<void*>(args.out.data));  // (num_tokens, stride)
  const size_t hidden = args.table.cols;
  for (size_t t = blockIdx.x; t < args.num_tokens; t += gridDim.x) {
    TOut* __restrict__ dst = out + t * args.out.row_stride;  // (hidden)
    const int32_t id = args.ids[t];
    if (id < 0 || static_cast<size_t>(id) >= args.table.rows) {
      // Never read outside the table: record the token and write a row of zeros.
      if (threadIdx.x == 0 && args.bad_token != nullptr) atomicMin(args.bad_token, static_cast<unsigned long long>(t));
      for (size_t i = threadIdx.x; i < hidden; i += blockDim.x) FromF32(0.0f, dst + i);
      continue;
    }
    const TIn* __restrict__ src = table + static_cast<size_t>(id) * args.table.row_stride;
    const float scale = kScale ? args.values[t] : 1.0f;
    size_t tail = 0;
    if (kVector) {
      const size_t steps = hidden / kVec;
      for (size_t s = threadIdx.x; s < steps; s += blockDim.x) {
        float x[kVec];
        Load8(src + s * kVec, x);
        if (kScale) {
#pragma unroll
          for (int k = 0; k < kVec; ++k) x[k] *= scale;
        }
        Store8(x, dst + s * kVec);
      }
      tail = steps * kVec;
    }
    for (size_t i = tail + threadIdx.x; i < hidden; i += blockDim.x) {
      const float x = ToF32(src[i]);
      FromF32(kScale ? x * scale : x, dst + i);
    }
  }
}

bool Aligned16(const void* p, size_t stride_bytes) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0 && stride_bytes % 16 == 0;
}

size_t ElemSize(Elem e) { return e == Elem::kF32 ? 4 : 2; }

template <typename TIn, typename TOut, bool kScale>
LaunchResult LaunchTyped(const EmbedLaunch& args, cudaStream_t stream) {
  const size_t hidden = args.table.cols;
  const bool vector =
      Aligned16(args.table.data, args.table.row_stride * ElemSize(args.table.elem)) &&
      Aligned16(args.out.data, args.out.row_stride * ElemSize(args.out.elem));
  const size_t work_per_row = vector ? (hidden + kVec - 1) / kVec : hidden;
  // Enough whole warps to cover a row in one step, up to kMaxThreads (then several steps).
  size_t threads = (work_per_row + 31) / 32 * 32;
  if (threads > kMaxThreads) threads = kMaxThreads;
  if (threads < 32) threads = 32;
  const dim3 block(static_cast<unsigned>(threads));
  const dim3 grid(static_cast<unsigned>(args.num_tokens < kMaxBlocks ? args.num_tokens
                                                                     : kMaxBlocks));
  if (vector) {
    EmbedKernel<TIn, TOut, kScale, true><<<grid, block, 0, stream>>>(args);
  } else {
    EmbedKernel<TIn, TOut, kScale, false><<<grid, block, 0, stream>>>(args);
  }
  return {cudaGetLastError(), "EmbedKernel launch"};
}

template <typename TIn, typename TOut>
LaunchResult LaunchForTypes(const EmbedLaunch& args, cudaStream_t stream) {
  return args.values != nullptr ? LaunchTyped<TIn, TOut, true>(args, stream)
                                : LaunchTyped<TIn, TOut, false>(args, stream);
}

template <typename TIn>
LaunchResult LaunchForTable(const EmbedLaunch& args, cudaStream_t stream) {
  return args.out.elem == Elem::kF32 ? LaunchForTypes<TIn, float>(args, stream)
                                     : LaunchForTypes<TIn, Bf16>(args, stream);
}

}  // namespace

LaunchResult LaunchEmbed(const EmbedLaunch& args, cudaStream_t stream) {
  if (args.num_tokens == 0) return {};
  switch (args.table.elem) {
    case Elem::kF32:
      return LaunchForTable<float>(args, stream);
    case Elem::kBF16:
      return LaunchForTable<Bf16>(args, stream);
    case Elem::kF16:
      return LaunchForTable<F16>(args, stream);
  }
  return {cudaErrorInvalidValue, "LaunchEmbed: table element type"};
}

}  // namespace xval::kernels::cuda
