// xval.NumberInfo (number_bindings.cc), used by Tokenizer.describe_numbers and encode.
#ifndef XVAL_BINDINGS_PYTHON_NUMBER_BINDINGS_H_
#define XVAL_BINDINGS_PYTHON_NUMBER_BINDINGS_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "xval/number_info.h"

namespace xval::python {

void BindNumberInfo(pybind11::module_& m);

// DescribeNumbers with the GIL released; a failure becomes the Python exception of its code.
std::shared_ptr<NumberInfo> DescribeNumbersOrThrow(const std::string& text,
                                                   const Encoding& encoding,
                                                   const NumberScanOptions& scan);

}  // namespace xval::python

#endif  // XVAL_BINDINGS_PYTHON_NUMBER_BINDINGS_H_
