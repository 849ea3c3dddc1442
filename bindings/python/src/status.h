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

// The message with each byte that is not part of valid UTF-8 written as \xNN: Python builds
// exception messages from UTF-8, and a byte-level piece named in a message need not be.
inline std::string Utf8Message(const std::string& message) {
  std::string out;
  for (size_t i = 0; i < message.size();) {
    const auto b = static_cast<unsigned char>(message[i]);
    const size_t len = b < 0x80 ? 1 : b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF5 ? 4 : 0;
    bool valid = len != 0 && i + len <= message.size();
    for (size_t k = 1; valid && k < len; ++k) {
      const auto c = static_cast<unsigned char>(message[i + k]);
      valid = (c & 0xC0) == 0x80;
      if (k == 1) {  // no overlong forms, no surrogates, nothing past U+10FFFF
        valid = valid && !(b == 0xE0 && c < 0xA0) && !(b == 0xED && c >= 0xA0) &&
                !(b == 0xF0 && c < 0x90) && !(b == 0xF4 && c >= 0x90);
      }
    }
    if (valid) {
      out.append(message, i, len);
      i += len;
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
      ++i;
    }
  }
  return out;
}

[[noreturn]] inline void RaiseStatus(const absl::Status& status,
                                     NotFoundIs not_found = NotFoundIs::kFile) {
  const std::string message = Utf8Message(std::string(status.message()));
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
