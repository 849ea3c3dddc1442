// Embedding lookup with the xVal number scaling fused in, forward and backward, on the CPU
// (Highway SIMD, run-time dispatch, multithreaded over tokens) and on CUDA GPUs.
//
// The forward pass is the input embedding of xVal (Golkar et al., 2023):
//
//   out[t, :] = table[ids[t], :] * values[t]        // values absent: a plain lookup
//
// which is `token_embed(x) * x_num.unsqueeze(-1)` in the paper's PyTorch code. The backward
// pass, for training, is
//
//   d_table[ids[t], :] += d_out[t, :] * values[t]    // summed over every t with that id
//   d_values[t]         = dot(d_out[t, :], table[ids[t], :])
//
// Matrices are passed as small views: a data pointer, an element type, a shape and a row stride
// (in elements), so a row may be a slice of a wider buffer. Views never own memory.
//
// Errors: every entry point checks its arguments first and returns a Status instead of
// touching memory it was not given: InvalidArgument for a null pointer, a mismatched shape or
// an unsupported type; OutOfRange for an id outside the table. On the CPU an error leaves
// every output untouched. Nothing here aborts.
//
// Thread safety: the functions are reentrant; concurrent calls may share inputs but not outputs.
#ifndef XVAL_EMBED_H_
#define XVAL_EMBED_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace xval::kernels {

// Element types of tables, activations and gradients. bf16 and f16 elements are stored as
// their raw 16-bit patterns (uint16_t); bf16 is the upper half of an IEEE binary32, f16 is
// IEEE binary16.
enum class DType : uint8_t { kF32 = 0, kBF16 = 1, kF16 = 2 };

// Bytes per element: 4 for kF32, 2 for kBF16 and kF16.
size_t DTypeSize(DType dtype);
// "f32", "bf16" or "f16".
const char* DTypeName(DType dtype);

// A read-only row-major matrix: `rows` rows of `cols` elements of `dtype`, row r starting at
// element r * row_stride of `data`. row_stride >= cols. A view with rows == 0 or cols == 0 may
// have a null `data`.
struct ConstMatrixView {
  const void* data = nullptr;  // (rows, row_stride) elements of dtype
  DType dtype = DType::kF32;
  size_t rows = 0;
  size_t cols = 0;
  size_t row_stride = 0;  // in elements, not bytes

  static ConstMatrixView F32(const float* data, size_t rows, size_t cols, size_t row_stride = 0) {
    return {data, DType::kF32, rows, cols, row_stride == 0 ? cols : row_stride};
  }
  static ConstMatrixView BF16(const uint16_t* data, size_t rows, size_t cols,
                              size_t row_stride = 0) {
    return {data, DType::kBF16, rows, cols, row_stride == 0 ? cols : row_stride};
  }
  static ConstMatrixView F16(const uint16_t* data, size_t rows, size_t cols,
                             size_t row_stride = 0) {
    return {data, DType::kF16, rows, cols, row_stride == 0 ? cols : row_stride};
  }
};

// The writable counterpart of ConstMatrixView; converts to it implicitly.
struct MatrixView {
  void* data = nullptr;  // (rows, row_stride) elements of dtype
  DType dtype = DType::kF32;
  size_t rows = 0;
  size_t cols = 0;
  size_t row_stride = 0;  // in elements, not bytes

  static MatrixView F32(float* data, size_t rows, size_t cols, size_t row_stride = 0) {
    return {data, DType::kF32, rows, cols, row_stride == 0 ? cols : row_stride};
  }
  static MatrixView BF16(uint16_t* data, size_t rows, size_t cols, size_t row_stride = 0) {
    return {data, DType::kBF16, rows, cols, row_stride == 0 ? cols : row_stride};
  }
  static MatrixView F16(uint16_t* data, size_t rows, size_t cols, size_t row_stride = 0) {
    return {data, DType::kF16, rows, cols, row_stride == 0 ? cols : row_stride};
  }
  operator ConstMatrixView() const {  // NOLINT(google-explicit-constructor): a view widens
    return {data, dtype, rows, cols, row_stride};
  }
};

// How the CPU forward pass writes `out`.
enum class StoreMode : uint8_t {
  // Streaming (non-temporal) stores once the output is larger than the last-level cache would
  // hold, normal stores below: see docs/benchmarks-embed.md for the measurement behind it.
  kAuto = 0,
  kNormal = 1,     // ordinary stores: the output stays in cache for the next layer
  kStreaming = 2,  // non-temporal stores: no read-for-ownership, the output bypasses the cache
};

struct EmbedOptions {
  // Threads to use at most, the calling one included; 0 means util::DefaultThreadCount().
  size_t max_threads = 0;
  StoreMode stores = StoreMode::kAuto;
};

// Forward pass on the CPU: out[t, :] = table[ids[t], :] * values[t].
//
// table: (vocab, hidden) in f32, bf16 or f16.
// ids:   (num_tokens) int32, each in [0, vocab).
// values: (num_tokens) f32, or empty for a plain lookup (every scale 1). NaN and infinity
//   propagate as IEEE multiplication says (inf * 0 = NaN).
// out:   (num_tokens, hidden) in f32 or bf16; bf16 results are rounded to nearest even.
//   `out` must not overlap `table`.
// Results do not depend on the Highway target, the thread count or the store mode: every
// element is one f32 multiply of the widened table element, then one rounding.
absl::Status Embed(ConstMatrixView table, absl::Span<const int32_t> ids,
                   absl::Span<const float> values, MatrixView out,
                   const EmbedOptions& options = {});

struct EmbedBackwardOptions {
  // Threads to use at most, the calling one included; 0 means util::DefaultThreadCount().
  size_t max_threads = 0;
};

// Backward pass on the CPU. Either gradient may be skipped: pass a default-constructed
// MatrixView for d_table, an empty span for d_values.
//
// table:    (vocab, hidden) f32, bf16 or f16: the forward input (read for d_values only,
//           its shape always checked).
// ids:      (num_tokens) int32 in [0, vocab).
// values:   (num_tokens) f32, or empty when the forward pass had none (every scale 1).
// d_out:    (num_tokens, hidden) f32 or bf16: the gradient of the loss by `out`.
// d_table:  (vocab, hidden) f32, ACCUMULATED into (+=), as PyTorch accumulates .grad; zero it
//           first for a fresh gradient. Rows of ids that do not occur are not touched.
// d_values: (num_tokens) f32, overwritten.
//
// Deterministic: tokens that share an id are summed into their row by one thread in token
// order, so the result is bitwise the same for every thread count and every run. Sums are in
// f32 (the dot products in several f32 lanes, then added), as PyTorch does for f32 grads.
absl::Status EmbedBackward(ConstMatrixView table, absl::Span<const int32_t> ids,
                           absl::Span<const float> values, ConstMatrixView d_out,
                           MatrixView d_table, absl::Span<float> d_values,
                           const EmbedBackwardOptions& options = {});

// ---------------------------------------------------------------------------------------------
// float64, on the CPU: the same two passes with the table, values, outputs, gradients and every
// sum in double. For training in double precision and for torch.autograd.gradcheck, whose
// finite differences need float64 to judge a gradient. Matrices are dense row-major spans:
// table and d_table (vocab, hidden), out and d_out (num_tokens, hidden), with vocab =
// table.size() / hidden, and hidden > 0. Checks and errors are those of the f32 functions
// (InvalidArgument for a size that does not match, OutOfRange for an id outside the table, outputs
// untouched then).

// out[t, :] = table[ids[t], :] * values[t] (values empty: every scale 1).
absl::Status EmbedF64(absl::Span<const double> table, size_t hidden, absl::Span<const int32_t> ids,
                      absl::Span<const double> values, absl::Span<double> out,
                      const EmbedOptions& options = {});

// d_table[ids[t], :] += d_out[t, :] * values[t] (accumulated; empty span: skipped), and
// d_values[t] = dot(d_out[t, :], table[ids[t], :]) (overwritten; empty span: skipped).
// Deterministic as EmbedBackward is: repeated ids are summed in token order.
absl::Status EmbedBackwardF64(absl::Span<const double> table, size_t hidden,
                              absl::Span<const int32_t> ids, absl::Span<const double> values,
                              absl::Span<const double> d_out, absl::Span<double> d_table,
                              absl::Span<double> d_values,
                              const EmbedBackwardOptions& options = {});

// ---------------------------------------------------------------------------------------------
// CUDA. Every pointer below (view data, ids, values, d_values) is device memory; the work is
// queued on `stream` (a cudaStream_t; nullptr is the legacy default stream). Types, shapes and
// semantics are those of the CPU functions above. Each CUDA call and each launch is checked;
// a failure comes back as an Internal status naming the call and the CUDA error.

// True when this build of xval contains the CUDA kernels (nvcc was found at build time).
bool CudaBuilt();
// Number of usable CUDA devices: 0 when the build has no CUDA kernels, when there is no
// driver or no device. Never fails.
int CudaDeviceCount();

struct CudaEmbedOptions {
  void* stream = nullptr;  // cudaStream_t
  // Check ids on the device and return OutOfRange for one outside the table. This waits for
  // the stream to finish (one small device-to-host copy). Off, the call returns as soon as the
  // work is queued, and a row whose id is out of range is written as zeros (forward) or
  // ignored (backward): never an out-of-bounds access either way.
  bool check_ids = true;
  // Backward only: true sorts the ids (CUB radix sort, stable) and sums each row's tokens in
  // token order in one thread block, so results are bitwise reproducible; false adds with
  // atomics in whatever order the hardware runs them (faster, not reproducible).
  bool deterministic = true;
};

// Forward pass on the GPU; FailedPrecondition when the build has no CUDA kernels.
absl::Status EmbedCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                       absl::Span<const float> values, MatrixView out,
                       const CudaEmbedOptions& options = {});

// Backward pass on the GPU (d_table accumulated, d_values overwritten, either skipped as on the
// CPU); FailedPrecondition when the build has no CUDA kernels.
absl::Status EmbedBackwardCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                               absl::Span<const float> values, ConstMatrixView d_out,
                               MatrixView d_table, absl::Span<float> d_values,
                               const CudaEmbedOptions& options = {});

}  // namespace xval::kernels

#endif  // XVAL_EMBED_H_
