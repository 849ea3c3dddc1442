// The one translation point from absl::Status to Python exceptions (../shared/DESIGN.md), the
// table in the package's docstring:
//   InvalidArgument (a malformed file, a bad option), Unimplemented (an unsupported feature,
//     named)                                                     -> ValueError
//   NotFound from a file operation                               -> FileNotFoundError
//   NotFound from a lookup (a piece, a token)                    -> KeyError
//   OutOfRange (an id outside the vocabulary)                    -> IndexError
//   anything else                                                -> RuntimeError
// and, outside Status: an argument of the wrong type            -> TypeError (module.cc).
#ifndef XVAL_BINDINGS_PYTHON_STATUS_H_
#define XVAL_BINDINGS_PYTHON_STATUS_H_

#include <pybind11/pybind11.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace xval::python {

// What a NotFound means where it is raised.
enum class NotFoundIs { kFile, kKey };

[[noreturn]] inline void RaiseStatus(const absl::Status& status,
                                     NotFoundIs not_found = NotFoundIs::kFile) {
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnimplemented:
      throw pybind11::value_error(message);
    case absl::StatusCode::kNotFound:
      if (not_found == NotFoundIs::kKey) throw pybind11::key_error(message);
      PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
      throw pybind11::error_already_set();
    case absl::StatusCode::kOutOfRange:
      throw pybind11::index_error(message);
    default:
      throw std::runtime_error(message);
  }
}

inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) RaiseStatus(status);
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> value, NotFoundIs not_found = NotFoundIs::kFile) {
  if (!value.ok()) RaiseStatus(value.status(), not_found);
  return *std::move(value);
}

}  // namespace xval::python

#endif  // XVAL_BINDINGS_PYTHON_STATUS_H_
