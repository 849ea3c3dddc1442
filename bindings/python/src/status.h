// The one translation point from absl::Status to Python exceptions (../shared/DESIGN.md):
// InvalidArgument -> ValueError, NotFound -> FileNotFoundError, OutOfRange -> IndexError,
// anything else -> RuntimeError.
#ifndef XVAL_BINDINGS_PYTHON_STATUS_H_
#define XVAL_BINDINGS_PYTHON_STATUS_H_

#include <pybind11/pybind11.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace xval::python {

[[noreturn]] inline void RaiseStatus(const absl::Status& status) {
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      throw pybind11::value_error(message);
    case absl::StatusCode::kNotFound:
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
T ValueOrThrow(absl::StatusOr<T> value) {
  if (!value.ok()) RaiseStatus(value.status());
  return *std::move(value);
}

}  // namespace xval::python

#endif  // XVAL_BINDINGS_PYTHON_STATUS_H_
