// The number encodings beyond xVal (include/xval/number_encodings.h) on numpy arrays: FoNE,
// BitTokens and Abacus, each with the GIL released. xval.torch's modules call these.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "embed_bindings.h"
#include "status.h"
#include "xval/number_encodings.h"

namespace py = pybind11;

namespace xval::python {
namespace {

using kernels::ConstMatrixView;
using kernels::MatrixView;

constexpr int kArrayIn = py::array::c_style | py::array::forcecast;
using F64In = py::array_t<double, kArrayIn>;
using F32In = py::array_t<float, kArrayIn>;
using I32In = py::array_t<int32_t, kArrayIn>;

template <typename T>
absl::Span<const T> Flat(const py::array_t<T, kArrayIn>& a) {
  return absl::MakeConstSpan(a.data(), static_cast<size_t>(a.size()));
}

void Want1D(const py::array& a, const char* what) {
  if (a.ndim() != 1) throw py::value_error(std::string(what) + " must be 1-D [tokens]");
}

kernels::FoneOptions Fone(int integer_digits, int fraction_digits,
                          const std::vector<double>& bases) {
  return kernels::FoneOptions{integer_digits, fraction_digits, bases};
}

// The f32 output of a fused embedding: (tokens, hidden).
py::array_t<float> FusedOut(size_t tokens, const ConstMatrixView& table) {
  return py::array_t<float>({tokens, table.cols});
}

}  // namespace

void BindNumberEncodings(py::module_& m) {
  m.def(
      "fone_periods",
      [](int integer_digits, int fraction_digits, const std::vector<double>& period_bases) {
        const std::vector<double> p =
            ValueOrThrow(kernels::FonePeriods(Fone(integer_digits, fraction_digits, period_bases)));
        return py::array_t<double>(p.size(), p.data());
      },
      py::arg("integer_digits") = 5, py::arg("fraction_digits") = 5,
      py::arg("period_bases") = std::vector<double>{10.0},
      "FoNE's periods, ascending, bit-equal to the reference code's list (float64 [periods]).");
  m.def(
      "fone_features",
      [](const F64In& values, const F64In& periods, size_t dim) {
        Want1D(values, "values");
        py::array_t<float> out({static_cast<size_t>(values.size()), dim});  // (n, dim)
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = kernels::FoneFeatures(Flat(values), Flat(periods),
                                         MatrixView::F32(out.mutable_data(), values.size(), dim));
        }
        ThrowIfError(status);
        return out;
      },
      py::arg("values"), py::arg("periods"), py::arg("dim"),
      "FoNE features of float64 values: float32 [n, dim], (cos, sin) per period, zeros after; "
      "all zeros for the value 0.");
  m.def(
      "embed_fone",
      [](const py::array& table, const I32In& ids, const F64In& values, int32_t num_id,
         const F64In& periods, const std::string& dtype) {
        const ConstMatrixView t = TableView(table, dtype);
        Want1D(ids, "ids");
        py::array_t<float> out = FusedOut(ids.size(), t);
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = kernels::EmbedFone(t, Flat(ids), Flat(values), num_id, Flat(periods),
                                      MatrixView::F32(out.mutable_data(), ids.size(), t.cols));
        }
        ThrowIfError(status);
        return out;
      },
      py::arg("table"), py::arg("ids"), py::arg("values"), py::arg("num_id"), py::arg("periods"),
      py::arg("dtype") = "",
      "table[ids] plus the FoNE features of values where ids == num_id: float32 [n, hidden].");
  m.def(
      "fone_decode",
      [](const F32In& h, int integer_digits, int fraction_digits,
         const std::vector<double>& period_bases) {
        if (h.ndim() != 2) throw py::value_error("h must be 2-D [n, hidden]");
        const kernels::FoneOptions options = Fone(integer_digits, fraction_digits, period_bases);
        ThrowIfError(kernels::FonePeriods(options).status());  // the digit counts, before sizes
        const size_t n = h.shape(0), slots = integer_digits + fraction_digits;
        py::array_t<int8_t> digits({n, slots});  // (n, slots), least significant first
        py::array_t<double> values(n);
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = kernels::FoneDecode(ConstMatrixView::F32(h.data(), n, h.shape(1)),
                                       Fone(integer_digits, fraction_digits, period_bases),
                                       absl::MakeSpan(digits.mutable_data(), digits.size()),
                                       absl::MakeSpan(values.mutable_data(), n));
        }
        ThrowIfError(status);
        return std::make_tuple(digits, values);
      },
      py::arg("h"), py::arg("integer_digits") = 5, py::arg("fraction_digits") = 5,
      py::arg("period_bases") = std::vector<double>{10.0},
      "FoNE's decoder on normalized hidden states float32 [n, >= slots * 2 * bases]: (digits "
      "int8 [n, slots] least significant first, values float64 [n]).");
  m.def(
      "fone_candidates",
      [](const std::vector<double>& period_bases) {
        const std::vector<float> m = ValueOrThrow(kernels::FoneCandidates(period_bases));
        py::array_t<float> out({2 * period_bases.size(), size_t{10}});  // (2 * bases, 10)
        std::copy(m.begin(), m.end(), out.mutable_data());
        return out;
      },
      py::arg("period_bases") = std::vector<double>{10.0},
      "FoNE's decoder candidates: float32 [2 * bases, 10], cos and sin of 2 pi d / B for the "
      "digits d, as the reference builds them (FoneHead's logits are slot @ candidates).");
  m.def(
      "bittoken_features",
      [](const F64In& values, bool reciprocal, float scale) {
        Want1D(values, "values");
        const size_t n = values.size(), width = kernels::BitTokenWidth(reciprocal);
        py::array_t<float> out({n, width});  // (n, 64 or 128)
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = kernels::BitTokenFeatures(Flat(values), reciprocal, scale,
                                             MatrixView::F32(out.mutable_data(), n, width));
        }
        ThrowIfError(status);
        return out;
      },
      py::arg("values"), py::arg("reciprocal") = true, py::arg("scale") = 1.0f,
      "BitTokens features: float32 [n, 64 or 128], +-scale per bit of the float64 (sign bit "
      "first), then of its reciprocal.");
  m.def(
      "embed_bittokens",
      [](const py::array& table, const I32In& ids, const F64In& values, int32_t num_id,
         bool reciprocal, std::optional<float> scale, const std::string& dtype) {
        const ConstMatrixView t = TableView(table, dtype);
        Want1D(ids, "ids");
        const float s = scale ? *scale
                              : std::sqrt(static_cast<float>(t.cols) /
                                          static_cast<float>(kernels::BitTokenWidth(reciprocal)));
        py::array_t<float> out = FusedOut(ids.size(), t);
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = kernels::EmbedBitTokens(t, Flat(ids), Flat(values), num_id, reciprocal, s,
                                           MatrixView::F32(out.mutable_data(), ids.size(), t.cols));
        }
        ThrowIfError(status);
        return out;
      },
      py::arg("table"), py::arg("ids"), py::arg("values"), py::arg("num_id"),
      py::arg("reciprocal") = true, py::arg("scale") = py::none(), py::arg("dtype") = "",
      "table[ids], with the rows where ids == num_id replaced by the BitTokens features times "
      "scale (default sqrt(hidden / features), the reference's zero_pad), zero-padded.");
  m.def(
      "bittoken_decode",
      [](const F32In& logits) {
        if (logits.ndim() != 2) throw py::value_error("logits must be 2-D [n, >= 64]");
        const size_t n = logits.shape(0);
        py::array_t<double> values(n);
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = kernels::BitTokenDecode(ConstMatrixView::F32(logits.data(), n, logits.shape(1)),
                                           absl::MakeSpan(values.mutable_data(), n));
        }
        ThrowIfError(status);
        return values;
      },
      py::arg("logits"), "The float64 values whose bits are set where logits > 0.");
  m.def(
      "abacus_positions",
      [](const I32In& ids, const I32In& digit_ids, int32_t offset) {
        Want1D(ids, "ids");
        py::array_t<int32_t> out(ids.size());
        ThrowIfError(kernels::AbacusPositions(Flat(ids), Flat(digit_ids), offset,
                                              absl::MakeSpan(out.mutable_data(), ids.size())));
        return out;
      },
      py::arg("ids"), py::arg("digit_ids"), py::arg("offset") = 0,
      "Abacus positions: 1 + offset, 2 + offset, ... along each run of digit tokens, 0 "
      "elsewhere (int32 [tokens]).");
}

}  // namespace xval::python
