// The CUDA entry points of xval/embed.h in a build without a CUDA toolkit: they exist so that
// callers and tests compile either way, check their arguments like the real ones, and then
// report that this build cannot run them.
#include "absl/status/status.h"
#include "kernels/embed_validate.h"
#include "util/status_macros.h"
#include "xval/embed.h"
#include "xval/number_encodings.h"

namespace xval::kernels {
namespace {

absl::Status NotBuilt() {
  return absl::FailedPreconditionError(
      "xval was built without CUDA (no nvcc at configure time, or XVAL_CUDA=OFF)");
}

}  // namespace

bool CudaBuilt() { return false; }

int CudaDeviceCount() { return 0; }

absl::Status EmbedCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                       absl::Span<const float> values, MatrixView out,
                       const CudaEmbedOptions& /*options*/) {
  RETURN_IF_ERROR(ValidateEmbedArgs(table, ids, values, out));
  return NotBuilt();
}

absl::Status EmbedBackwardCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                               absl::Span<const float> values, ConstMatrixView d_out,
                               MatrixView d_table, absl::Span<float> d_values,
                               const CudaEmbedOptions& /*options*/) {
  RETURN_IF_ERROR(ValidateEmbedBackwardArgs(table, ids, values, d_out, d_table, d_values));
  return NotBuilt();
}

absl::Status EmbedFoneCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                           absl::Span<const double> values, int32_t num_id,
                           absl::Span<const double> periods, MatrixView out,
                           const CudaEmbedOptions& /*options*/) {
  RETURN_IF_ERROR(ValidateFonePeriods(periods));
  RETURN_IF_ERROR(ValidateNumberEmbedArgs(table, ids, values, num_id, out, 2 * periods.size()));
  return NotBuilt();
}

absl::Status EmbedBitTokensCuda(ConstMatrixView table, absl::Span<const int32_t> ids,
                                absl::Span<const double> values, int32_t num_id, bool reciprocal,
                                float /*scale*/, MatrixView out,
                                const CudaEmbedOptions& /*options*/) {
  RETURN_IF_ERROR(
      ValidateNumberEmbedArgs(table, ids, values, num_id, out, BitTokenWidth(reciprocal)));
  return NotBuilt();
}

}  // namespace xval::kernels
