// The embedding backward pass on CUDA GPUs:
//   d_values[t]         = dot(d_out[t, :], table[ids[t], :])   one block per token, tree sum
//   d_table[ids[t], :] += d_out[t, :] * values[t]              scatter-add over repeated ids
//
// The scatter-add has two schedules. Deterministic: (id, token) pairs are radix-sorted by id
// with CUB (stable, so tokens stay in order within an id), and the block that finds the start
// of a run of equal ids adds the run's tokens into its row in token order; every element sees
// the same additions in the same order on every run. Fast: one block per token and atomicAdd,
// in whatever order the hardware runs them (PyTorch's `index_add_` takes the same two routes).
#include <cub/device/device_radix_sort.cuh>

#include <cstdint>

#include "cuda/device_convert.cuh"
#include "cuda/embed_launch.h"

namespace xval::kernels::cuda {
namespace {

constexpr int kThreads = 256;
constexpr unsigned kMaxBlocks = 1u << 20;

__device__ bool DeviceBadId(int32_t id, size_t vocab) {
  return id < 0 || static_cast<size_t>(id) >= vocab;
}

__device__ void RecordBadToken(unsigned long long* bad_token, size_t t) {
  if (threadIdx.x == 0 && bad_token != nullptr) {
    atomicMin(bad_token, static_cast<unsigned long long>(t));
  }
}

// The sum of `x` over the block (blockDim.x == kThreads), valid in thread 0. A fixed tree:
// the same inputs give the same bits on every run.
__device__ float BlockSum(float x) {
  __shared__ float warp_sums[kThreads / 32];  // (warps)
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) x += __shfl_down_sync(0xFFFFFFFFu, x, offset);
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (lane == 0) warp_sums[warp] = x;
  __syncthreads();
  x = lane < kThreads / 32 ? warp_sums[lane] : 0.0f;
  if (warp == 0) {
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) x += __shfl_down_sync(0xFFFFFFFFu, x, offset);
  }
  __syncthreads();  // warp_sums is reused by the next token
  return x;
}

template <typename TGrad, typename TTable>
__global__ void __launch_bounds__(kThreads) DValuesKernel(EmbedBackwardLaunch args) {
  const TTable* __restrict__ table = static_cast<const TTable*>(args.table.data);  // (vocab, .)
  const TGrad* __restrict__ d_out = static_cast<const TGrad*>(args.d_out.data);  // (tokens, .)
  const size_t hidden = args.table.cols;
  for (size_t t = blockIdx.x; t < args.num_tokens; t += gridDim.x) {
    const int32_t id = args.ids[t];
    if (DeviceBadId(id, args.table.rows)) {  // uniform across the block: no BlockSum skew
      RecordBadToken(args.bad_token, t);
      if (threadIdx.x == 0) args.d_values[t] = 0.0f;
      continue;
    }
    const TGrad* __restrict__ g = d_out + t * args.d_out.row_stride;                  // (hidden)
    const TTable* __restrict__ w = table + static_cast<size_t>(id) * args.table.row_stride;
    float sum = 0.0f;
    for (size_t i = threadIdx.x; i < hidden; i += blockDim.x) {
      sum = fmaf(ToF32(g[i]), ToF32(w[i]), sum);
    }
    sum = BlockSum(sum);
    if (threadIdx.x == 0) args.d_values[t] = sum;
  }
}

template <typename TGrad, bool kScale>
__global__ void __launch_bounds__(kThreads) DTableAtomicKernel(EmbedBackwardLaunch args) {
  const TGrad* __restrict__ d_out = static_cast<const TGrad*>(args.d_out.data);  // (tokens, .)
  const size_t hidden = args.table.cols;
  for (size_t t = blockIdx.x; t < args.num_tokens; t += gridDim.x) {
    const int32_t id = args.ids[t];
    if (DeviceBadId(id, args.table.rows)) {
      RecordBadToken(args.bad_token, t);
      continue;
    }
    const TGrad* __restrict__ g = d_out + t * args.d_out.row_stride;                 // (hidden)
    float* dst = args.d_table + static_cast<size_t>(id) * args.d_table_stride;       // (hidden)
    const float scale = kScale ? args.values[t] : 1.0f;
    for (size_t i = threadIdx.x; i < hidden; i += blockDim.x) {
      atomicAdd(dst + i, kScale ? ToF32(g[i]) * scale : ToF32(g[i]));
    }
  }
}

// sorted_ids, sorted_tokens: (num_tokens), the pairs sorted by id, stable.
template <typename TGrad, bool kScale>
__global__ void __launch_bounds__(kThreads)
    DTableSortedKernel(EmbedBackwardLaunch args, const int32_t* __restrict__ sorted_ids,
                       const uint32_t* __restrict__ sorted_tokens) {
  const TGrad* __restrict__ d_out = static_cast<const TGrad*>(args.d_out.data);  // (tokens, .)
  const size_t hidden = args.table.cols;
  for (size_t k = blockIdx.x; k < args.num_tokens; k += gridDim.x) {
    const int32_t id = sorted_ids[k];
    if (k > 0 && sorted_ids[k - 1] == id) continue;  // not the start of a run
    if (DeviceBadId(id, args.table.rows)) {
      RecordBadToken(args.bad_token, sorted_tokens[k]);
      continue;
    }
    size_t end = k + 1;
    while (end < args.num_tokens && sorted_ids[end] == id) ++end;
    float* __restrict__ dst = args.d_table + static_cast<size_t>(id) * args.d_table_stride;
    for (size_t i = threadIdx.x; i < hidden; i += blockDim.x) {
      float acc = dst[i];
      for (size_t j = k; j < end; ++j) {
        const uint32_t t = sorted_tokens[j];
        const float g = ToF32(d_out[t * args.d_out.row_stride + i]);
        acc += kScale ? g * args.values[t] : g;
      }
      dst[i] = acc;
    }
  }
}

__global__ void IotaKernel(uint32_t* out, size_t n) {  // out: (n)
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    out[i] = static_cast<uint32_t>(i);
  }
}

dim3 GridFor(size_t items) {
  return dim3(static_cast<unsigned>(items < kMaxBlocks ? items : kMaxBlocks));
}

template <typename TGrad>
LaunchResult LaunchDValues(const EmbedBackwardLaunch& args, cudaStream_t stream) {
  switch (args.table.elem) {
    case Elem::kF32:
      DValuesKernel<TGrad, float><<<GridFor(args.num_tokens), kThreads, 0, stream>>>(args);
      break;
    case Elem::kBF16:
      DValuesKernel<TGrad, Bf16><<<GridFor(args.num_tokens), kThreads, 0, stream>>>(args);
      break;
    case Elem::kF16:
      DValuesKernel<TGrad, F16><<<GridFor(args.num_tokens), kThreads, 0, stream>>>(args);
      break;
  }
  return {cudaGetLastError(), "DValuesKernel launch"};
}

// Device buffers from the stream-ordered pool, freed in stream order when the scope ends
// (after the kernels that use them have been queued).
class StreamBuffers {
 public:
  explicit StreamBuffers(cudaStream_t stream) : stream_(stream) {}
  StreamBuffers(const StreamBuffers&) = delete;
  StreamBuffers& operator=(const StreamBuffers&) = delete;
  ~StreamBuffers() {
    for (int i = 0; i < count_; ++i) cudaFreeAsync(buffers_[i], stream_);
  }
  LaunchResult Allocate(size_t bytes, void** out) {
    *out = nullptr;
    if (count_ == kMax) return {cudaErrorInvalidValue, "StreamBuffers: too many buffers"};
    const cudaError_t error = cudaMallocAsync(out, bytes == 0 ? 1 : bytes, stream_);
    if (error == cudaSuccess) buffers_[count_++] = *out;
    return {error, "cudaMallocAsync"};
  }

 private:
  static constexpr int kMax = 4;
  cudaStream_t stream_;
  void* buffers_[kMax] = {};
  int count_ = 0;
};

template <typename TGrad, bool kScale>
LaunchResult LaunchDTable(const EmbedBackwardLaunch& args, cudaStream_t stream) {
  const size_t n = args.num_tokens;
  if (!args.deterministic) {
    DTableAtomicKernel<TGrad, kScale><<<GridFor(n), kThreads, 0, stream>>>(args);
    return {cudaGetLastError(), "DTableAtomicKernel launch"};
  }
  StreamBuffers buffers(stream);
  void* tokens_in = nullptr;   // (n) uint32: 0..n-1
  void* tokens_out = nullptr;  // (n) uint32: tokens in id order
  void* ids_out = nullptr;     // (n) int32: ids sorted
  void* scratch = nullptr;     // CUB's temporary storage
  LaunchResult result;
  if ((result = buffers.Allocate(n * sizeof(uint32_t), &tokens_in)).error != cudaSuccess ||
      (result = buffers.Allocate(n * sizeof(uint32_t), &tokens_out)).error != cudaSuccess ||
      (result = buffers.Allocate(n * sizeof(int32_t), &ids_out)).error != cudaSuccess) {
    return result;
  }
  IotaKernel<<<GridFor((n + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      static_cast<uint32_t*>(tokens_in), n);
  if (cudaError_t error = cudaGetLastError(); error != cudaSuccess) {
    return {error, "IotaKernel launch"};
  }
  size_t scratch_bytes = 0;
  const int num_items = static_cast<int>(n);  // the caller keeps n below 2^31
  cudaError_t error = cub::DeviceRadixSort::SortPairs(
      nullptr, scratch_bytes, args.ids, static_cast<int32_t*>(ids_out),
      static_cast<const uint32_t*>(tokens_in), static_cast<uint32_t*>(tokens_out), num_items, 0,
      32, stream);
  if (error != cudaSuccess) return {error, "cub::DeviceRadixSort::SortPairs (size query)"};
  if ((result = buffers.Allocate(scratch_bytes, &scratch)).error != cudaSuccess) return result;
  error = cub::DeviceRadixSort::SortPairs(
      scratch, scratch_bytes, args.ids, static_cast<int32_t*>(ids_out),
      static_cast<const uint32_t*>(tokens_in), static_cast<uint32_t*>(tokens_out), num_items, 0,
      32, stream);
  if (error != cudaSuccess) return {error, "cub::DeviceRadixSort::SortPairs"};
  DTableSortedKernel<TGrad, kScale><<<GridFor(n), kThreads, 0, stream>>>(
      args, static_cast<const int32_t*>(ids_out), static_cast<const uint32_t*>(tokens_out));
  return {cudaGetLastError(), "DTableSortedKernel launch"};
}

template <typename TGrad>
LaunchResult LaunchForGrad(const EmbedBackwardLaunch& args, cudaStream_t stream) {
  if (args.d_values != nullptr) {
    const LaunchResult result = LaunchDValues<TGrad>(args, stream);
    if (result.error != cudaSuccess) return result;
  }
  if (args.d_table == nullptr) return {};
  return args.values != nullptr ? LaunchDTable<TGrad, true>(args, stream)
                                : LaunchDTable<TGrad, false>(args, stream);
}

}  // namespace

LaunchResult LaunchEmbedBackward(const EmbedBackwardLaunch& args, cudaStream_t stream) {
  if (args.num_tokens == 0) return {};
  return args.d_out.elem == Elem::kF32 ? LaunchForGrad<float>(args, stream)
                                       : LaunchForGrad<Bf16>(args, stream);
}

}  // namespace xval::kernels::cuda
