// Host side of the CUDA embedding kernels: argument checks (shared with the CPU path), device
// pointer checks, the id check on the device, and CUDA errors turned into Status. The kernels
// themselves are in embed.cu and embed_backward.cu.
#include <cuda_runtime_api.h>

#include <climits>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cuda/embed_launch.h"
#include "kernels/embed_validate.h"
#include "util/status_macros.h"
#include "xval/embed.h"
#include "xval/number_encodings.h"

namespace xval::kernels {
namespace {

absl::Status CudaError(cudaError_t error, const char* what) {
  if (error == cudaSuccess) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(what, ": ", cudaGetErrorName(error), ": ", cudaGetErrorString(error)));
}

absl::Status LaunchStatus(const cuda::LaunchResult& result) {
  return CudaError(result.error, result.what);
}

// A pointer the device can dereference: device memory, managed memory or registered host
// memory. A plain host pointer would fault inside a kernel and poison the whole CUDA context,
// so it is refused here instead.
absl::Status CheckDevicePointer(const char* name, const void* p) {
  if (p == nullptr) return absl::OkStatus();  // empty: the shape checks allowed it
  cudaPointerAttributes attributes{};
  const cudaError_t error = cudaPointerGetAttributes(&attributes, p);
  if (error != cudaSuccess) {
    cudaGetLastError();  // clear the non-sticky error so later calls do not report it
    return CudaError(error, absl::StrCat("cudaPointerGetAttributes(", name, ")").c_str());
  }
  if (attributes.type == cudaMemoryTypeUnregistered) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is host memory that the GPU cannot read; pass device memory"));
  }
  return absl::OkStatus();
}

cuda::DeviceMatrix ToDevice(const ConstMatrixView& view) {
  return {view.data, static_cast<cuda::Elem>(view.dtype), view.rows, view.cols,
          view.row_stride};
}

// Tokens are indexed with int on the device side of CUB's sort and uint32 elsewhere.
absl::Status CheckTokenCount(size_t num_tokens) {
  if (num_tokens > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat(num_tokens, " tokens in one call; the CUDA kernels take at most ", INT_MAX));
  }
  return absl::OkStatus();
}

// A device word the kernels set to the first token with a bad id (atomicMin), read back after
// the launch. Freed in stream order on destruction.
class BadTokenFlag {
 public:
  explicit BadTokenFlag(cudaStream_t stream) : stream_(stream) {}
  BadTokenFlag(const BadTokenFlag&) = delete;
  BadTokenFlag& operator=(const BadTokenFlag&) = delete;
  ~BadTokenFlag() {
    if (device_ != nullptr) cudaFreeAsync(device_, stream_);
  }

  absl::Status Init() {
    void* memory = nullptr;
    RETURN_IF_ERROR(CudaError(cudaMallocAsync(&memory, sizeof(*device_), stream_),
                              "cudaMallocAsync(bad token flag)"));
    device_ = static_cast<unsigned long long*>(memory);
    return CudaError(cudaMemsetAsync(device_, 0xFF, sizeof(*device_), stream_),
                     "cudaMemsetAsync(bad token flag)");
  }
  unsigned long long* device() const { return device_; }

  // Waits for the stream, then reports the first bad token, reading its id back.
  absl::Status Check(const int32_t* ids, size_t vocab) {
    unsigned long long token = 0;
    RETURN_IF_ERROR(CudaError(
        cudaMemcpyAsync(&token, device_, sizeof(token), cudaMemcpyDeviceToHost, stream_),
        "cudaMemcpyAsync(bad token flag)"));
    RETURN_IF_ERROR(CudaError(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"));
    if (token == ~0ull) return absl::OkStatus();
    int32_t id = 0;
    RETURN_IF_ERROR(CudaError(cudaMemcpy(&id, ids + token, sizeof(id), cudaMemcpyDeviceToHost),
                              "cudaMemcpy(bad id)"));
    return absl::OutOfRangeError(
        absl::StrCat("ids[", token, "] = ", id, " is outside the table of ", vocab, " rows"));
  }

 private:
  cudaStream_t stream_;
  unsigned long long* device_ = nullptr;
};

}  // namespace

bool CudaBuilt() { return true; }

int CudaDeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: not an error for the caller
    return 0;
  }
  return count;
}

absl::Status EmbedCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                       absl::Span<const float> values, MatrixView out,
                       const CudaEmbedOptions& options) {
  RETURN_IF_ERROR(ValidateEmbedArgs(table, ids, values, out));
  RETURN_IF_ERROR(CheckTokenCount(ids.size()));
  if (ids.empty()) return absl::OkStatus();
  if (table.rows != 0 && table.cols != 0) {
    RETURN_IF_ERROR(CheckDevicePointer("table", table.data));
  }
  RETURN_IF_ERROR(CheckDevicePointer("ids", ids.data()));
  if (!values.empty()) RETURN_IF_ERROR(CheckDevicePointer("values", values.data()));
  if (table.cols != 0) RETURN_IF_ERROR(CheckDevicePointer("out", out.data));
  const auto stream = static_cast<cudaStream_t>(options.stream);
  BadTokenFlag flag(stream);
  if (options.check_ids) RETURN_IF_ERROR(flag.Init());
  const cuda::EmbedLaunch launch{ToDevice(table),
                                 ids.data(),
                                 values.empty() ? nullptr : values.data(),
                                 ids.size(),
                                 ToDevice(out),
                                 flag.device()};
  RETURN_IF_ERROR(LaunchStatus(cuda::LaunchEmbed(launch, stream)));
  if (!options.check_ids) return absl::OkStatus();
  return flag.Check(ids.data(), table.rows);
}

absl::Status EmbedBackwardCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                               absl::Span<const float> values, ConstMatrixView d_out,
                               MatrixView d_table, absl::Span<float> d_values,
                               const CudaEmbedOptions& options) {
  RETURN_IF_ERROR(ValidateEmbedBackwardArgs(table, ids, values, d_out, d_table, d_values));
  RETURN_IF_ERROR(CheckTokenCount(ids.size()));
  const bool want_table = !IsAbsent(d_table) && table.cols != 0;
  if (ids.empty() || (!want_table && d_values.empty())) return absl::OkStatus();
  // Only the buffers this call will touch: an empty one may hold any pointer.
  const bool has_elements = table.rows != 0 && table.cols != 0;
  if (has_elements) RETURN_IF_ERROR(CheckDevicePointer("table", table.data));
  RETURN_IF_ERROR(CheckDevicePointer("ids", ids.data()));
  if (!values.empty()) RETURN_IF_ERROR(CheckDevicePointer("values", values.data()));
  if (table.cols != 0) RETURN_IF_ERROR(CheckDevicePointer("d_out", d_out.data));
  if (want_table) RETURN_IF_ERROR(CheckDevicePointer("d_table", d_table.data));
  if (!d_values.empty()) RETURN_IF_ERROR(CheckDevicePointer("d_values", d_values.data()));
  const auto stream = static_cast<cudaStream_t>(options.stream);
  BadTokenFlag flag(stream);
  if (options.check_ids) RETURN_IF_ERROR(flag.Init());
  const cuda::EmbedBackwardLaunch launch{
      ToDevice(table),
      ids.data(),
      values.empty() ? nullptr : values.data(),
      ids.size(),
      ToDevice(d_out),
      want_table ? static_cast<float*>(d_table.data) : nullptr,
      d_table.row_stride,
      d_values.empty() ? nullptr : d_values.data(),
      options.deterministic,
      flag.device()};
  RETURN_IF_ERROR(LaunchStatus(cuda::LaunchEmbedBackward(launch, stream)));
  if (!options.check_ids) return absl::OkStatus();
  return flag.Check(ids.data(), table.rows);
}

namespace {

// The plain lookup of every row, then the [NUM] rows rewritten by the number kernel.
absl::Status EmbedNumbersCuda(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                              absl::Span<const double> values, const MatrixView& out,
                              const CudaEmbedOptions& options, cuda::NumberRowsLaunch* launch) {
  if (ids.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(CheckDevicePointer("values", values.data()));
  RETURN_IF_ERROR(EmbedCuda(table, ids, {}, out, options));
  launch->table = ToDevice(table);
  launch->ids = ids.data();
  launch->values = values.data();
  launch->num_tokens = ids.size();
  launch->out = ToDevice(out);
  return LaunchStatus(cuda::LaunchNumberRows(*launch, static_cast<cudaStream_t>(options.stream)));
}

}  // namespace

absl::Status EmbedFoneCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                           absl::Span<const double> values, int32_t num_id,
                           absl::Span<const double> periods, MatrixView out,
                           const CudaEmbedOptions& options) {
  RETURN_IF_ERROR(ValidateFonePeriods(periods));
  RETURN_IF_ERROR(ValidateNumberEmbedArgs(table, ids, values, num_id, out, 2 * periods.size()));
  if (periods.size() > static_cast<size_t>(cuda::kMaxFonePeriods)) {
    return absl::InvalidArgumentError(absl::StrCat(periods.size(),
                                                   " FoNE periods; the CUDA "
                                                   "kernel takes at most ",
                                                   cuda::kMaxFonePeriods));
  }
  cuda::NumberRowsLaunch launch{};
  launch.kind = cuda::NumberRows::kFone;
  launch.num_id = num_id;
  for (size_t j = 0; j < periods.size(); ++j) launch.periods[j] = periods[j];
  launch.num_periods = static_cast<int>(periods.size());
  return EmbedNumbersCuda(table, ids, values, out, options, &launch);
}

absl::Status EmbedBitTokensCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                                absl::Span<const double> values, int32_t num_id, bool reciprocal,
                                float scale, MatrixView out, const CudaEmbedOptions& options) {
  RETURN_IF_ERROR(
      ValidateNumberEmbedArgs(table, ids, values, num_id, out, BitTokenWidth(reciprocal)));
  cuda::NumberRowsLaunch launch{};
  launch.kind = cuda::NumberRows::kBitTokens;
  launch.num_id = num_id;
  launch.reciprocal = reciprocal;
  launch.scale = scale;
  return EmbedNumbersCuda(table, ids, values, out, options, &launch);
}

}  // namespace xval::kernels
