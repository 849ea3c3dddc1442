// The embedding kernels on numpy arrays: xval.embed and xval.embed_backward. Tables are float32,
// float16, or bfloat16 carried as uint16 (numpy has no bfloat16) with dtype="bf16".
#include "embed_bindings.h"

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

// A read-only view of a 2-D table; `dtype` "bf16" reads a uint16 array as bfloat16.
kernels::ConstMatrixView TableView(const py::array& table, const std::string& dtype) {
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
    return kernels::ConstMatrixView::BF16(static_cast<const uint16_t*>(table.data()), rows, cols,
                                          stride);
  }
  if (py::isinstance<py::array_t<float>>(table)) {
    return kernels::ConstMatrixView::F32(static_cast<const float*>(table.data()), rows, cols,
                                         stride);
  }
  if (table.dtype().kind() == 'f' && table.itemsize() == 2) {
    return kernels::ConstMatrixView::F16(static_cast<const uint16_t*>(table.data()), rows, cols,
                                         stride);
  }
  throw py::value_error("the table must be float32, float16, or uint16 with dtype=\"bf16\"");
}

namespace {

using kernels::ConstMatrixView;
using kernels::DType;
using kernels::MatrixView;

constexpr int kArrayIn = py::array::c_style | py::array::forcecast;

// A 1-D [tokens] array of T (converted when it is of another type), or an empty one for None.
template <typename T>
py::array_t<T, kArrayIn> TokenVector(const std::optional<py::array>& a, const char* what) {
  if (!a) return py::array_t<T, kArrayIn>(0);
  auto v = py::array_t<T, kArrayIn>::ensure(*a);
  if (!v || v.ndim() != 1) throw py::value_error(std::string(what) + " must be 1-D [tokens]");
  return v;
}

bool IsFloat64(const py::array& a) { return a.dtype().kind() == 'f' && a.itemsize() == 8; }

// The float64 kernels: table, values and result in double (for gradcheck and f64 training).
py::array_t<double> EmbedF64(const py::array& table, const py::array_t<int32_t, kArrayIn>& ids,
                             const std::optional<py::array>& values, size_t threads) {
  if (table.ndim() != 2) throw py::value_error("the table must be 2-D [vocab, hidden]");
  auto t = py::array_t<double, py::array::c_style>::ensure(table);
  if (!t) throw py::value_error("the float64 table must be C-contiguous");
  const size_t n = ids.shape(0), hidden = t.shape(1);
  const auto vals = TokenVector<double>(values, "values");
  py::array_t<double> out({n, hidden});  // (tokens, hidden)
  kernels::EmbedOptions options;
  options.max_threads = threads;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = kernels::EmbedF64(absl::MakeConstSpan(t.data(), t.size()), hidden,
                               absl::MakeConstSpan(ids.data(), n),
                               absl::MakeConstSpan(vals.data(), vals.size()),
                               absl::MakeSpan(out.mutable_data(), out.size()), options);
  }
  ThrowIfError(status);
  return out;
}

py::array Embed(const py::array& table, py::array_t<int32_t, kArrayIn> ids,
                std::optional<py::array> values, const std::string& dtype, size_t threads) {
  if (ids.ndim() != 1) throw py::value_error("ids must be 1-D [tokens]");
  if (IsFloat64(table) && dtype.empty()) return EmbedF64(table, ids, values, threads);
  const ConstMatrixView t = TableView(table, dtype);
  const size_t n = ids.shape(0);
  const auto vals = TokenVector<float>(values, "values");
  py::array_t<float> out({n, t.cols});  // (tokens, hidden)
  kernels::EmbedOptions options;
  options.max_threads = threads;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = kernels::Embed(t, absl::MakeConstSpan(ids.data(), n),
                            absl::MakeConstSpan(vals.data(), vals.size()),
                            MatrixView::F32(out.mutable_data(), n, t.cols), options);
  }
  ThrowIfError(status);
  return std::move(out);
}

py::tuple EmbedBackwardF64(const py::array& table, const py::array_t<int32_t, kArrayIn>& ids,
                           const std::optional<py::array>& values, const py::array& d_out,
                           size_t threads) {
  if (table.ndim() != 2 || d_out.ndim() != 2) {
    throw py::value_error("the table must be 2-D [vocab, hidden] and d_out 2-D [tokens, hidden]");
  }
  auto t = py::array_t<double, py::array::c_style>::ensure(table);
  if (!t) throw py::value_error("the float64 table must be C-contiguous");
  auto g = py::array_t<double, kArrayIn>::ensure(d_out);
  const size_t n = ids.shape(0), vocab = t.shape(0), hidden = t.shape(1);
  if (static_cast<size_t>(g.shape(1)) != hidden) {
    throw py::value_error("d_out's rows must have the table's hidden size");
  }
  const auto vals = TokenVector<double>(values, "values");
  py::array_t<double> d_table({vocab, hidden});  // (vocab, hidden), zeroed below
  std::fill_n(d_table.mutable_data(), d_table.size(), 0.0);
  py::array_t<double> d_values(static_cast<py::ssize_t>(values ? n : 0));  // (tokens)
  kernels::EmbedBackwardOptions options;
  options.max_threads = threads;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = kernels::EmbedBackwardF64(
        absl::MakeConstSpan(t.data(), t.size()), hidden, absl::MakeConstSpan(ids.data(), n),
        absl::MakeConstSpan(vals.data(), vals.size()), absl::MakeConstSpan(g.data(), g.size()),
        absl::MakeSpan(d_table.mutable_data(), d_table.size()),
        absl::MakeSpan(d_values.mutable_data(), d_values.size()), options);
  }
  ThrowIfError(status);
  return py::make_tuple(d_table, values ? py::object(d_values) : py::object(py::none()));
}

py::tuple EmbedBackward(const py::array& table, py::array_t<int32_t, kArrayIn> ids,
                        std::optional<py::array> values, const py::array& d_out_array,
                        const std::string& dtype, size_t threads) {
  if (ids.ndim() != 1) throw py::value_error("ids must be 1-D [tokens]");
  if (IsFloat64(table) && dtype.empty()) {
    return EmbedBackwardF64(table, ids, values, d_out_array, threads);
  }
  const ConstMatrixView t = TableView(table, dtype);
  auto d_out = py::array_t<float, kArrayIn>::ensure(d_out_array);
  if (!d_out || d_out.ndim() != 2) throw py::value_error("d_out must be 2-D [tokens, hidden]");
  const size_t n = ids.shape(0);
  const auto vals = TokenVector<float>(values, "values");
  py::array_t<float> d_table({t.rows, t.cols});  // (vocab, hidden), zeroed below
  std::fill_n(d_table.mutable_data(), t.rows * t.cols, 0.0f);
  py::array_t<float> d_values(static_cast<py::ssize_t>(values ? n : 0));  // (tokens)
  kernels::EmbedBackwardOptions options;
  options.max_threads = threads;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = kernels::EmbedBackward(
        t, absl::MakeConstSpan(ids.data(), n), absl::MakeConstSpan(vals.data(), vals.size()),
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
A float64 table runs the float64 kernels: values are read and the result returned in float64.
Raises IndexError for an id outside the table, ValueError for mismatched shapes.)doc");
  m.def("embed_backward", &EmbedBackward, py::arg("table"), py::arg("ids"), py::arg("values"),
        py::arg("d_out"), py::kw_only(), py::arg("dtype") = "", py::arg("threads") = 0,
        R"doc(The gradients of embed: (d_table [vocab, hidden] float32, d_values [tokens] or None);
float64 throughout for a float64 table.

d_table[ids[t]] += d_out[t] * values[t]; d_values[t] = dot(d_out[t], table[ids[t]]).
Repeated ids are summed in token order, so results do not depend on the thread count.)doc");
  m.def(
      "cuda_available", [] { return kernels::CudaBuilt() && kernels::CudaDeviceCount() > 0; },
      "True when the CUDA kernels were built and a GPU is present.");
}

}  // namespace xval::python
