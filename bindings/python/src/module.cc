// The _xval extension module behind the `xval` Python package.
#include <pybind11/pybind11.h>

namespace xval::python {
void BindTokenizer(pybind11::module_& m);
void BindEmbed(pybind11::module_& m);
void BindDlpack(pybind11::module_& m);
void BindModel(pybind11::module_& m);
}  // namespace xval::python

PYBIND11_MODULE(_xval, m) {
  m.doc() = "xval: numeric-aware tokenization and embedding (C++ core)";
  xval::python::BindTokenizer(m);
  xval::python::BindEmbed(m);
  xval::python::BindDlpack(m);
  xval::python::BindModel(m);
}
