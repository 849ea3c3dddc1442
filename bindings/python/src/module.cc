// The _xval extension module behind the `xval` Python package.
#include <pybind11/pybind11.h>

#include <exception>
#include <string>

#include "xval/version.h"

namespace xval::python {
void BindTokenizer(pybind11::module_& m);
void BindEmbed(pybind11::module_& m);
void BindDlpack(pybind11::module_& m);
void BindModel(pybind11::module_& m);
void BindNumberEncodings(pybind11::module_& m);
}  // namespace xval::python

PYBIND11_MODULE(_xval, m) {
  m.doc() = "xval: numeric-aware tokenization and embedding (C++ core)";
  m.attr("__version__") = xval::Version();
  // A value pybind11 could not convert inside a call (a list of str where ids were expected):
  // TypeError with what was expected, never pybind11's RuntimeError "Unable to cast".
  pybind11::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pybind11::cast_error& e) {
      PyErr_SetString(
          PyExc_TypeError,
          (std::string("xval: an argument has the wrong type (") + e.what() + ")").c_str());
    }
  });
  xval::python::BindTokenizer(m);
  xval::python::BindEmbed(m);
  xval::python::BindDlpack(m);
  xval::python::BindModel(m);
  xval::python::BindNumberEncodings(m);
}
