#include "kernels/embed_validate.h"

#include <cmath>
#include <cstddef>
#include <limits>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace xval::kernels {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return 4;
    case DType::kBF16:
    case DType::kF16:
      return 2;
  }
  return 0;  // not a DType: ValidateView rejects it
}

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "f32";
    case DType::kBF16:
      return "bf16";
    case DType::kF16:
      return "f16";
  }
  return "unknown";
}

absl::Status ValidateView(const char* name, const ConstMatrixView& view) {
  const size_t element_size = DTypeSize(view.dtype);
  if (element_size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": unknown dtype ", static_cast<int>(view.dtype)));
  }
  if (view.rows == 0 || view.cols == 0) return absl::OkStatus();
  if (view.data == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": null data for a ", view.rows, " x ", view.cols, " matrix"));
  }
  if (view.row_stride < view.cols) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": row_stride ", view.row_stride,
                                                   " is less than cols ", view.cols));
  }
  // The last element sits at (rows - 1) * row_stride + cols - 1; its byte offset must fit.
  constexpr size_t kMax = std::numeric_limits<size_t>::max();
  if (view.cols > kMax / element_size ||
      view.rows - 1 > (kMax / element_size - view.cols) / view.row_stride) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": ", view.rows, " rows of stride ",
                                                   view.row_stride, " overflow size_t"));
  }
  return absl::OkStatus();
}

namespace {

absl::Status ValidateSpan(const char* name, const void* data, size_t size) {
  if (size != 0 && data == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": null data for ", size, " elements"));
  }
  return absl::OkStatus();
}

absl::Status ValidateValues(absl::Span<const float> values, size_t num_tokens) {
  RETURN_IF_ERROR(ValidateSpan("values", values.data(), values.size()));
  if (!values.empty() && values.size() != num_tokens) {
    return absl::InvalidArgumentError(absl::StrCat("values has ", values.size(),
                                                   " elements for ", num_tokens,
                                                   " ids (pass none for a plain lookup)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRows(const char* name, const ConstMatrixView& view, size_t rows,
                          size_t cols) {
  if (view.rows != rows || view.cols != cols) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is ", view.rows, " x ", view.cols,
                                                   ", expected ", rows, " x ", cols));
  }
  return absl::OkStatus();
}

absl::Status RequireDType(const char* name, DType dtype, bool f32, bool bf16, bool f16) {
  const bool ok = (dtype == DType::kF32 && f32) || (dtype == DType::kBF16 && bf16) ||
                  (dtype == DType::kF16 && f16);
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": dtype ", DTypeName(dtype), " is not supported here"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateEmbedArgs(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                               absl::Span<const float> values, const MatrixView& out) {
  RETURN_IF_ERROR(ValidateView("table", table));
  RETURN_IF_ERROR(ValidateView("out", out));
  RETURN_IF_ERROR(ValidateSpan("ids", ids.data(), ids.size()));
  RETURN_IF_ERROR(ValidateValues(values, ids.size()));
  RETURN_IF_ERROR(RequireDType("out", out.dtype, true, true, false));
  return ValidateRows("out", out, ids.size(), table.cols);
}

absl::Status ValidateEmbedBackwardArgs(const ConstMatrixView& table,
                                       absl::Span<const int32_t> ids,
                                       absl::Span<const float> values,
                                       const ConstMatrixView& d_out, const MatrixView& d_table,
                                       absl::Span<float> d_values) {
  RETURN_IF_ERROR(ValidateView("table", table));
  RETURN_IF_ERROR(ValidateView("d_out", d_out));
  RETURN_IF_ERROR(ValidateSpan("ids", ids.data(), ids.size()));
  RETURN_IF_ERROR(ValidateValues(values, ids.size()));
  RETURN_IF_ERROR(RequireDType("d_out", d_out.dtype, true, true, false));
  RETURN_IF_ERROR(ValidateRows("d_out", d_out, ids.size(), table.cols));
  if (!IsAbsent(d_table)) {
    RETURN_IF_ERROR(ValidateView("d_table", d_table));
    RETURN_IF_ERROR(RequireDType("d_table", d_table.dtype, true, false, false));
    RETURN_IF_ERROR(ValidateRows("d_table", d_table, table.rows, table.cols));
  }
  RETURN_IF_ERROR(ValidateSpan("d_values", d_values.data(), d_values.size()));
  if (!d_values.empty() && d_values.size() != ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("d_values has ", d_values.size(),
                                                   " elements for ", ids.size(), " ids"));
  }
  return absl::OkStatus();
}

absl::Status CheckIds(absl::Span<const int32_t> ids, size_t vocab) {
  for (size_t t = 0; t < ids.size(); ++t) {
    if (ids[t] < 0 || static_cast<size_t>(ids[t]) >= vocab) {
      return absl::OutOfRangeError(absl::StrCat("ids[", t, "] = ", ids[t],
                                                " is outside the table of ", vocab, " rows"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateNumberEmbedArgs(const ConstMatrixView& table, absl::Span<const int32_t> ids,
                                     absl::Span<const double> values, int32_t num_id,
                                     const MatrixView& out, size_t features) {
  RETURN_IF_ERROR(ValidateEmbedArgs(table, ids, {}, out));
  RETURN_IF_ERROR(ValidateSpan("values", values.data(), values.size()));
  if (values.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("values has ", values.size(), " entries for ", ids.size(), " tokens"));
  }
  if (num_id < 0 || static_cast<size_t>(num_id) >= table.rows) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_id ", num_id, " is outside the table of ", table.rows, " rows"));
  }
  if (table.cols < features) {
    return absl::InvalidArgumentError(absl::StrCat("hidden size ", table.cols, " is below the ",
                                                   features, " features of the encoding"));
  }
  return absl::OkStatus();
}

absl::Status ValidateFonePeriods(absl::Span<const double> periods) {
  for (double p : periods) {
    if (!(p > 0) || !std::isfinite(p)) {
      return absl::InvalidArgumentError(absl::StrCat("FoNE period ", p, " is not positive"));
    }
  }
  return absl::OkStatus();
}

}  // namespace xval::kernels
