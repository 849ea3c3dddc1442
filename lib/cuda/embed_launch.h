// The plain-C++ boundary between the host wrappers (embed_cuda.cc, compiled by the C++
// compiler with Abseil) and the kernels (embed.cu, embed_backward.cu, compiled by nvcc, which
// never sees an Abseil header). Arguments arrive validated; pointers are device memory.
#ifndef XVAL_CUDA_EMBED_LAUNCH_H_
#define XVAL_CUDA_EMBED_LAUNCH_H_

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace xval::kernels::cuda {

// Element types, numbered as xval::kernels::DType.
enum class Elem : int { kF32 = 0, kBF16 = 1, kF16 = 2 };

struct DeviceMatrix {
  const void* data;   // (rows, row_stride) elements of elem; written through by out views
  Elem elem;
  size_t rows;
  size_t cols;
  size_t row_stride;  // elements
};

// A failed CUDA call: which one, and its error.
struct LaunchResult {
  cudaError_t error = cudaSuccess;
  const char* what = "";
};

struct EmbedLaunch {
  DeviceMatrix table;           // (vocab, hidden)
  const int32_t* ids;           // (num_tokens)
  const float* values;          // (num_tokens) or nullptr
  size_t num_tokens;
  DeviceMatrix out;             // (num_tokens, hidden) f32 or bf16
  // Set (atomicMin) to the first token whose id is out of range, or nullptr not to record.
  unsigned long long* bad_token;
};

// Queues out[t, :] = table[ids[t], :] * values[t] on stream.
LaunchResult LaunchEmbed(const EmbedLaunch& args, cudaStream_t stream);

struct EmbedBackwardLaunch {
  DeviceMatrix table;           // (vocab, hidden)
  const int32_t* ids;           // (num_tokens)
  const float* values;          // (num_tokens) or nullptr
  size_t num_tokens;
  DeviceMatrix d_out;           // (num_tokens, hidden) f32 or bf16
  float* d_table;               // (vocab, d_table_stride) or nullptr
  size_t d_table_stride;
  float* d_values;              // (num_tokens) or nullptr
  bool deterministic;
  unsigned long long* bad_token;  // as in EmbedLaunch
};

// Queues the backward pass on stream; temporary buffers come from the stream-ordered pool
// (cudaMallocAsync) and are released in stream order.
LaunchResult LaunchEmbedBackward(const EmbedBackwardLaunch& args, cudaStream_t stream);

// The number encodings' fused embeddings (number_encodings.h): after LaunchEmbed wrote every
// row of `out` as a plain lookup, the rows of the tokens whose id is num_id are rewritten: FoNE
// adds its features to the table row, BitTokens replaces it by its scaled bits.
enum class NumberRows : int { kFone = 0, kBitTokens = 1 };
constexpr int kMaxFonePeriods = 128;

struct NumberRowsLaunch {
  NumberRows kind;
  DeviceMatrix table;    // (vocab, hidden), ids already checked
  const int32_t* ids;    // (num_tokens)
  const double* values;  // (num_tokens) float64 numbers
  size_t num_tokens;
  int32_t num_id;
  DeviceMatrix out;                 // (num_tokens, hidden) f32 or bf16
  double periods[kMaxFonePeriods];  // FoNE: ascending, num_periods of them
  int num_periods;
  bool reciprocal;  // BitTokens: 1/x's bits after x's
  float scale;      // BitTokens: the features' magnitude
};

// Queues the rewrite of the [NUM] rows on stream.
LaunchResult LaunchNumberRows(const NumberRowsLaunch& args, cudaStream_t stream);

}  // namespace xval::kernels::cuda

#endif  // XVAL_CUDA_EMBED_LAUNCH_H_
