// xval.NumberInfo: the number side data of an encoding (include/xval/number_info.h) as numpy
// arrays, per token and per number.
#include "number_bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "status.h"
#include "xval/number_rewrites.h"

namespace py = pybind11;

namespace xval::python {
namespace {

// A numpy array holding a copy of `n` values taken from each record by `field`.
template <typename T, typename Field>
py::array_t<T> PerNumber(const NumberInfo& info, Field field) {
  py::array_t<T> out(static_cast<py::ssize_t>(info.numbers.size()));
  T* p = out.mutable_data();
  for (const NumberRecord& r : info.numbers) *p++ = static_cast<T>(field(r));
  return out;
}

template <typename T>
py::array_t<T> PerToken(py::object self, const std::vector<T>& v) {
  return py::array_t<T>({static_cast<py::ssize_t>(v.size())}, v.data(), self);
}

}  // namespace

std::shared_ptr<NumberInfo> DescribeNumbersOrThrow(const std::string& text,
                                                   const Encoding& encoding,
                                                   const NumberScanOptions& scan) {
  absl::StatusOr<NumberInfo> info;
  {
    py::gil_scoped_release release;
    info = DescribeNumbers(text, encoding, scan);
  }
  return std::make_shared<NumberInfo>(ValueOrThrow(std::move(info)));
}

void BindNumberInfo(py::module_& m) {
  m.def(
      "rewrite_numbers",
      [](const std::string& text, const std::string& rewrite) {
        const NumberRewrite r = ValueOrThrow(ParseNumberRewrite(rewrite));
        return ValueOrThrow(ApplyNumberRewrite(r, text));
      },
      py::arg("text"), py::arg("rewrite"),
      "The text with its numbers rewritten, reversibly: \"reverse\" (each digit run of a number "
      "reversed, least significant first), \"rtl_commas\" (a comma every three digits from the "
      "right; commas already between digits doubled) or \"numerologic\" (\"42\" -> "
      "\"<sn>2<mn>42<en>\"). restore_numbers undoes it exactly.");
  m.def(
      "restore_numbers",
      [](const std::string& text, const std::string& rewrite) {
        const NumberRewrite r = ValueOrThrow(ParseNumberRewrite(rewrite));
        return ValueOrThrow(UndoNumberRewrite(r, text));
      },
      py::arg("text"), py::arg("rewrite"),
      "The text rewrite_numbers was given, from what it returned (ValueError naming the byte "
      "where a text cannot have come from it).");

  py::class_<NumberInfo, std::shared_ptr<NumberInfo>>(m, "NumberInfo", R"doc(
The numbers of a text and, for each token of its encoding, the number it belongs to, as
Tokenizer.describe_numbers returns them. Per token (arrays [tokens]): number_index, digit,
place, place_from_top. Per number (arrays [numbers]): spans, values, values32, negative,
integer_digits, fraction_digits, exponent. Places count as Abacus does, from the units (units 1,
tens 2; tenths -1, hundredths -2); place_from_top counts the mantissa's digits from the first.)doc")
      .def_property_readonly(
          "number_index",
          [](py::object self) { return PerToken(self, self.cast<NumberInfo&>().number_index); },
          "int32 [tokens]: the number the token's bytes overlap, -1 for none")
      .def_property_readonly(
          "digit", [](py::object self) { return PerToken(self, self.cast<NumberInfo&>().digit); },
          "int8 [tokens]: 0..9 when the token covers exactly one mantissa digit, else -1")
      .def_property_readonly(
          "place", [](py::object self) { return PerToken(self, self.cast<NumberInfo&>().place); },
          "int16 [tokens]: the place of the least significant digit the token covers (units 1, "
          "tenths -1), 0 for none")
      .def_property_readonly(
          "place_from_top",
          [](py::object self) { return PerToken(self, self.cast<NumberInfo&>().place_from_top); },
          "int16 [tokens]: 1-based index of the first digit the token covers, 0 for none")
      .def_property_readonly(
          "spans",
          [](const NumberInfo& info) {
            py::array_t<uint32_t> out(
                {static_cast<py::ssize_t>(info.numbers.size()), py::ssize_t{2}});
            uint32_t* p = out.mutable_data();
            for (const NumberRecord& r : info.numbers) {
              *p++ = r.span.begin;
              *p++ = r.span.end;
            }
            return out;
          },
          "uint32 [numbers, 2]: each number's bytes [begin, end) in the text")
      .def_property_readonly(
          "values",
          [](const NumberInfo& i) {
            return PerNumber<double>(i, [](const NumberRecord& r) { return r.value; });
          },
          "float64 [numbers]: each number correctly rounded (float() of its text)")
      .def_property_readonly(
          "values32",
          [](const NumberInfo& i) {
            return PerNumber<float>(i, [](const NumberRecord& r) { return r.value32; });
          },
          "float32 [numbers]: each number correctly rounded to float32 in one rounding")
      .def_property_readonly(
          "negative",
          [](const NumberInfo& i) {
            return PerNumber<bool>(i, [](const NumberRecord& r) { return r.negative; });
          },
          "bool [numbers]: written with a '-' sign")
      .def_property_readonly(
          "integer_digits",
          [](const NumberInfo& i) {
            return PerNumber<int32_t>(i, [](const NumberRecord& r) { return r.integer_digits; });
          },
          "int32 [numbers]: mantissa digits before the decimal point")
      .def_property_readonly(
          "fraction_digits",
          [](const NumberInfo& i) {
            return PerNumber<int32_t>(i, [](const NumberRecord& r) { return r.fraction_digits; });
          },
          "int32 [numbers]: mantissa digits after the decimal point")
      .def_property_readonly(
          "exponent",
          [](const NumberInfo& i) {
            return PerNumber<int32_t>(i, [](const NumberRecord& r) { return r.exponent; });
          },
          "int32 [numbers]: the written exponent, 0 when none")
      .def("__len__", &NumberInfo::size)
      .def("__repr__", [](const NumberInfo& i) {
        return "<xval.NumberInfo of " + std::to_string(i.numbers.size()) + " numbers over " +
               std::to_string(i.size()) + " tokens>";
      });
}

}  // namespace xval::python
