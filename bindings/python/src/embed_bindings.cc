// The embedding kernels on numpy arrays: xval.embed and xval.embed_backward. Tables are float32,
// float16, or bfloat16 carried as uint16 (numpy has no bfloat16) with dtype="bf16".
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <string>

#include "status.h"
#include "xval/embed.h"

namespace py = pybind11;

namespace xval::python {
namespace {

using kernels::ConstMatrixView;
using kernels::DType;
using kernels::MatrixView;

constexpr int kArrayIn = py::array::c_style | py::array::forcecast;

// A read-only view of a 2-D table; `dtype` "bf16" reads a uint16 array as bfloat16.
ConstMatrixView TableView(const py::array& table, const std::string& dtype) {
  if (table.ndim() != 2) throw py::value_error("the table must be 2-D [vocab, hidden]");
  if (table.strides(1) != table.itemsize()) {
    throw py::value_error("the table's rows must be contiguous");
  }
  const size_t rows = table.shape(0), cols = table.shape(1);
  const size_t stride = table.strides(0) / table.itemsize();
  if (dtype == "bf16") {
    if (!py::isinstance<py::array_t<uint16_t>>(table)) {
      throw py::value_error("dtype=\"bf16\" needs the table as a uint16 array of bfloat16 bits");
    }
    return ConstMatrixView::BF16(static_cast<const uint16_t*>(table.data()), rows, cols, stride);
  }
  if (py::isinstance<py::array_t<float>>(table)) {
    return ConstMatrixView::F32(static_cast<const float*>(table.data()), rows, cols, stride);
  }
  if (table.dtype().kind() == 'f' && table.itemsize() == 2) {
    return ConstMatrixView::F16(static_cast<const uint16_t*>(table.data()), rows, cols, stride);
  }
  throw py::value_error("the table must be float32, float16, or uint16 with dtype=\"bf16\"");
}

py::array_t<float> Embed(const py::array& table, py::array_t<int32_t, kArrayIn> ids,
                         std::optional<py::array_t<float, kArrayIn>> values,
                         const std::string& dtype, size_t threads) {
  const ConstMatrixView t = TableView(table, dtype);
  if (ids.ndim() != 1) throw py::value_error("ids must be 1-D [tokens]");
  const size_t n = ids.shape(0);
  absl::Span<const float> vals;
  if (values) {
    if (values->ndim() != 1) throw py::value_error("values must be 1-D [tokens]");
    vals = absl::MakeConstSpan(values->data(), values->shape(0));
  }
  py::array_t<float> out({n, t.cols});  // (tokens, hidden)
  kernels::EmbedOptions options;
  options.max_threads = threads;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = kernels::Embed(t, absl::MakeConstSpan(ids.data(), n), vals,
                            MatrixView::F32(out.mutable_data(), n, t.cols), options);
  }
  ThrowIfError(status);
  return out;
}

py::tuple EmbedBackward(const py::array& table, py::array_t<int32_t, kArrayIn> ids,
                        std::optional<py::array_t<float, kArrayIn>> values,
                        py::array_t<float, kArrayIn> d_out, const std::string& dtype,
                        size_t threads) {
  const ConstMatrixView t = TableView(table, dtype);
  if (ids.ndim() != 1 || d_out.ndim() != 2) {
    throw py::value_error("ids must be 1-D [tokens] and d_out 2-D [tokens, hidden]");
  }
  const size_t n = ids.shape(0);
  absl::Span<const float> vals;
  if (values) vals = absl::MakeConstSpan(values->data(), values->shape(0));
  py::array_t<float> d_table({t.rows, t.cols});  // (vocab, hidden), zeroed below
  std::fill_n(d_table.mutable_data(), t.rows * t.cols, 0.0f);
  py::array_t<float> d_values(static_cast<py::ssize_t>(values ? n : 0));  // (tokens)
  kernels::EmbedBackwardOptions options;
  options.max_threads = threads;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status =
        kernels::EmbedBackward(t, absl::MakeConstSpan(ids.data(), n), vals,
                               ConstMatrixView::F32(d_out.data(), d_out.shape(0), d_out.shape(1)),
                               MatrixView::F32(d_table.mutable_data(), t.rows, t.cols),
                               absl::MakeSpan(d_values.mutable_data(), values ? n : 0), options);
  }
  ThrowIfError(status);
  return py::make_tuple(d_table, values ? py::object(d_values) : py::object(py::none()));
}

}  // namespace

void BindEmbed(py::module_& m) {
  m.def("embed", &Embed, py::arg("table"), py::arg("ids"), py::arg("values") = py::none(),
        py::kw_only(), py::arg("dtype") = "", py::arg("threads") = 0,
        R"doc(out[t] = table[ids[t]] * values[t] (values omitted: a plain lookup).

table: [vocab, hidden] float32, float16, or uint16 bfloat16 bits with dtype="bf16";
ids: [tokens] int32; values: [tokens] float32. Returns float32 [tokens, hidden].
Raises IndexError for an id outside the table, ValueError for mismatched shapes.)doc");
  m.def("embed_backward", &EmbedBackward, py::arg("table"), py::arg("ids"), py::arg("values"),
        py::arg("d_out"), py::kw_only(), py::arg("dtype") = "", py::arg("threads") = 0,
        R"doc(The gradients of embed: (d_table [vocab, hidden] float32, d_values [tokens] or None).

d_table[ids[t]] += d_out[t] * values[t]; d_values[t] = dot(d_out[t], table[ids[t]]).
Repeated ids are summed in token order, so results do not depend on the thread count.)doc");
  m.def(
      "cuda_available", [] { return kernels::CudaBuilt() && kernels::CudaDeviceCount() > 0; },
      "True when the CUDA kernels were built and a GPU is present.");
}

}  // namespace xval::python
