// The embedding kernels on DLPack tensors, in host or CUDA memory: xval.embed and
// xval.embed_backward reach these for tensors on a GPU (and for torch tensors on the CPU), so
// that a framework's tensors are read and written in place, on the device they live on, on the
// caller's CUDA stream. The tensors arrive as the capsules of the DLPack protocol
// (`tensor.__dlpack__(stream=...)`); the outputs are allocated by the caller's framework.
#include <dlpack/dlpack.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/types/span.h"
#include "status.h"
#include "xval/embed.h"

namespace py = pybind11;

namespace xval::python {
namespace {

using kernels::ConstMatrixView;
using kernels::DType;
using kernels::MatrixView;

// A borrowed DLPack tensor: the capsule is marked used (as the protocol asks of a consumer) and
// its deleter runs when this goes away, after the kernels are done with the memory.
class DlTensor {
 public:
  DlTensor(const py::handle& capsule, const char* what) : what_(what) {
    if (!PyCapsule_IsValid(capsule.ptr(), "dltensor")) {
      throw py::value_error(std::string(what) + ": not an unused DLPack capsule");
    }
    managed_ = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
    PyCapsule_SetName(capsule.ptr(), "used_dltensor");
  }
  DlTensor(const DlTensor&) = delete;
  DlTensor& operator=(const DlTensor&) = delete;
  ~DlTensor() {
    if (managed_->deleter != nullptr) managed_->deleter(managed_);
  }

  const DLTensor& t() const { return managed_->dl_tensor; }
  void* data() const { return static_cast<char*>(t().data) + t().byte_offset; }
  int64_t dim(int i) const { return t().shape[i]; }
  // Elements between rows (1-D: between elements); compact when strides are absent.
  int64_t stride(int i) const {
    if (t().strides != nullptr) return t().strides[i];
    int64_t s = 1;
    for (int d = i + 1; d < t().ndim; ++d) s *= t().shape[d];
    return s;
  }
  bool Is(uint8_t code, uint8_t bits) const {
    return t().dtype.code == code && t().dtype.bits == bits && t().dtype.lanes == 1;
  }

  void CheckNdim(int ndim) const {
    if (t().ndim != ndim) {
      throw py::value_error(std::string(what_) + " must be " + std::to_string(ndim) + "-D");
    }
  }
  // A matrix whose rows are contiguous, in the kernels' element types.
  DType MatrixType(bool allow_f16) const {
    CheckNdim(2);
    if (dim(1) > 1 && stride(1) != 1) {
      throw py::value_error(std::string(what_) + ": rows must be contiguous");
    }
    if (Is(kDLFloat, 32)) return DType::kF32;
    if (Is(kDLBfloat, 16)) return DType::kBF16;
    if (allow_f16 && Is(kDLFloat, 16)) return DType::kF16;
    throw py::value_error(std::string(what_) + ": float32, bfloat16" +
                          (allow_f16 ? ", float16" : "") + " only");
  }
  // A contiguous vector of `code`/`bits` elements.
  void CheckVector(uint8_t code, uint8_t bits, const char* type) const {
    CheckNdim(1);
    if (!Is(code, bits) || (dim(0) > 1 && stride(0) != 1)) {
      throw py::value_error(std::string(what_) + " must be a contiguous " + type + " vector");
    }
  }
  ConstMatrixView Const(bool allow_f16) const {
    const DType type = MatrixType(allow_f16);
    return {data(), type, static_cast<size_t>(dim(0)), static_cast<size_t>(dim(1)),
            static_cast<size_t>(dim(0) > 1 ? stride(0) : dim(1))};
  }
  MatrixView Mutable() const {
    const ConstMatrixView v = Const(false);
    return {const_cast<void*>(v.data), v.dtype, v.rows, v.cols, v.row_stride};
  }

 private:
  DLManagedTensor* managed_;
  const char* what_;
};

// Every tensor on the CPU (false) or every one on the same CUDA device (true).
bool OnCuda(std::initializer_list<const DlTensor*> tensors) {
  const DLDevice first = (*tensors.begin())->t().device;
  for (const DlTensor* t : tensors) {
    if (t == nullptr) continue;
    const DLDevice d = t->t().device;
    if (d.device_type != first.device_type || d.device_id != first.device_id) {
      throw py::value_error("the tensors are on different devices");
    }
  }
  if (first.device_type == kDLCPU) return false;
  if (first.device_type == kDLCUDA) return true;
  throw py::value_error("tensors must be in host memory or on a CUDA device");
}

void EmbedDlpack(const py::handle& table_c, const py::handle& ids_c, const py::object& values_c,
                 const py::handle& out_c, uintptr_t stream, size_t threads) {
  const DlTensor table(table_c, "table"), ids(ids_c, "ids"), out(out_c, "out");
  std::unique_ptr<DlTensor> values;
  if (!values_c.is_none()) values = std::make_unique<DlTensor>(values_c, "values");
  ids.CheckVector(kDLInt, 32, "int32");
  if (values) values->CheckVector(kDLFloat, 32, "float32");
  const auto ids_span = absl::MakeConstSpan(static_cast<const int32_t*>(ids.data()), ids.dim(0));
  const auto values_span =
      values ? absl::MakeConstSpan(static_cast<const float*>(values->data()), values->dim(0))
             : absl::Span<const float>();
  const bool cuda = OnCuda({&table, &ids, &out, values.get()});
  const ConstMatrixView table_view = table.Const(true);
  const MatrixView out_view = out.Mutable();
  absl::Status status;
  {
    py::gil_scoped_release release;
    if (cuda) {
      kernels::CudaEmbedOptions options;
      options.stream = reinterpret_cast<void*>(stream);
      status = kernels::EmbedCuda(table_view, ids_span, values_span, out_view, options);
    } else {
      kernels::EmbedOptions options;
      options.max_threads = threads;
      status = kernels::Embed(table_view, ids_span, values_span, out_view, options);
    }
  }
  ThrowIfError(status);
}

void EmbedBackwardDlpack(const py::handle& table_c, const py::handle& ids_c,
                         const py::object& values_c, const py::handle& d_out_c,
                         const py::object& d_table_c, const py::object& d_values_c,
                         uintptr_t stream, size_t threads) {
  const DlTensor table(table_c, "table"), ids(ids_c, "ids"), d_out(d_out_c, "d_out");
  std::unique_ptr<DlTensor> values, d_table, d_values;
  if (!values_c.is_none()) values = std::make_unique<DlTensor>(values_c, "values");
  if (!d_table_c.is_none()) d_table = std::make_unique<DlTensor>(d_table_c, "d_table");
  if (!d_values_c.is_none()) d_values = std::make_unique<DlTensor>(d_values_c, "d_values");
  ids.CheckVector(kDLInt, 32, "int32");
  if (values) values->CheckVector(kDLFloat, 32, "float32");
  if (d_values) d_values->CheckVector(kDLFloat, 32, "float32");
  const bool cuda = OnCuda({&table, &ids, &d_out, values.get(), d_table.get(), d_values.get()});
  const auto ids_span = absl::MakeConstSpan(static_cast<const int32_t*>(ids.data()), ids.dim(0));
  const auto values_span =
      values ? absl::MakeConstSpan(static_cast<const float*>(values->data()), values->dim(0))
             : absl::Span<const float>();
  const auto d_values_span =
      d_values ? absl::MakeSpan(static_cast<float*>(d_values->data()), d_values->dim(0))
               : absl::Span<float>();
  const ConstMatrixView table_view = table.Const(true), d_out_view = d_out.Const(false);
  const MatrixView d_table_view = d_table ? d_table->Mutable() : MatrixView();
  absl::Status status;
  {
    py::gil_scoped_release release;
    if (cuda) {
      kernels::CudaEmbedOptions options;
      options.stream = reinterpret_cast<void*>(stream);
      status = kernels::EmbedBackwardCuda(table_view, ids_span, values_span, d_out_view,
                                          d_table_view, d_values_span, options);
    } else {
      kernels::EmbedBackwardOptions options;
      options.max_threads = threads;
      status = kernels::EmbedBackward(table_view, ids_span, values_span, d_out_view,
                                      d_table_view, d_values_span, options);
    }
  }
  ThrowIfError(status);
}

}  // namespace

void BindDlpack(py::module_& m) {
  m.def("embed_dlpack", &EmbedDlpack, py::arg("table"), py::arg("ids"), py::arg("values"),
        py::arg("out"), py::arg("stream") = 0, py::arg("threads") = 0,
        R"doc(embed on DLPack capsules: out = table[ids] * values, written in place.

Every tensor in host memory (the CPU kernels) or on one CUDA device (the CUDA kernels, queued on
`stream`, a cudaStream_t as an integer; 0 is the legacy default stream). table [vocab, hidden]
float32/float16/bfloat16 with contiguous rows; ids [tokens] int32; values [tokens] float32 or
None; out [tokens, hidden] float32 or bfloat16. Ids are checked on the device (an id outside the
table raises IndexError).)doc");
  m.def("embed_backward_dlpack", &EmbedBackwardDlpack, py::arg("table"), py::arg("ids"),
        py::arg("values"), py::arg("d_out"), py::arg("d_table"), py::arg("d_values"),
        py::arg("stream") = 0, py::arg("threads") = 0,
        R"doc(embed_backward on DLPack capsules: d_table (float32, accumulated into) and d_values
(float32, overwritten), either None to skip it; devices and stream as for embed_dlpack.)doc");
}

}  // namespace xval::python
