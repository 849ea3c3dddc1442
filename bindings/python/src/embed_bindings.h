// Helpers of the numpy kernel bindings shared with number_encoding_bindings.cc.
#ifndef XVAL_BINDINGS_PYTHON_EMBED_BINDINGS_H_
#define XVAL_BINDINGS_PYTHON_EMBED_BINDINGS_H_

#include <pybind11/numpy.h>

#include <string>

#include "xval/embed.h"

namespace xval::python {

// A read-only view of a 2-D table (float32, float16, or uint16 bfloat16 bits with dtype
// "bf16"); ValueError for anything else.
kernels::ConstMatrixView TableView(const pybind11::array& table, const std::string& dtype);

}  // namespace xval::python

#endif  // XVAL_BINDINGS_PYTHON_EMBED_BINDINGS_H_
