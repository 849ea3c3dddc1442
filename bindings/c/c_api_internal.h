// What the C ABI's files share: the handles' contents and the one place where a Status (or a
// C++ exception) becomes an xval_status plus the calling thread's message.
#ifndef XVAL_BINDINGS_C_C_API_INTERNAL_H_
#define XVAL_BINDINGS_C_C_API_INTERNAL_H_

#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "xval/embed.h"
#include "xval/model.h"
#include "xval/stream_decoder.h"
#include "xval/tokenizer.h"
#include "xval/xval.h"
#include "xval/xval_tokenizer.h"

struct xval_tokenizer {
  std::unique_ptr<xval::Tokenizer> tokenizer;
  const xval::XvalTokenizer* numbers = nullptr;  // the same object when it reads numbers
};

struct xval_stream {
  std::unique_ptr<xval::StreamDecoder> decoder;
  std::string text;  // what the last call returned
};

struct xval_model {
  std::unique_ptr<xval::model::LlamaModel> model;
};

struct xval_session {
  std::unique_ptr<xval::model::LlamaSession> session;
  const xval::model::LlamaModel* model = nullptr;
  xval::model::ForwardOutput out;  // reused between calls
};

namespace xval::c_api {

// Records `status` as the calling thread's last error and returns its code. Never throws (no
// memory for the message leaves it empty).
xval_status Fail(const absl::Status& status) noexcept;
inline xval_status Fail(absl::StatusCode code, const std::string& message) {
  return Fail(absl::Status(code, message));
}
// OK, or the failure recorded.
inline xval_status Return(const absl::Status& status) {
  return status.ok() ? XVAL_OK : Fail(status);
}

// Runs `body` (which returns an xval_status), turning an escaping exception into an error:
// nothing thrown may cross into C. Recording the message may itself fail for want of memory;
// the code is returned all the same.
template <typename Body>
xval_status Guard(const char* function, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    try {
      return Fail(absl::ResourceExhaustedError(std::string(function) + ": out of memory"));
    } catch (...) {
      return XVAL_RESOURCE_EXHAUSTED;
    }
  } catch (const std::exception& e) {
    try {
      return Fail(absl::InternalError(std::string(function) + ": " + e.what()));
    } catch (...) {
      return XVAL_INTERNAL;
    }
  } catch (...) {
    try {
      return Fail(absl::InternalError(std::string(function) + ": unknown exception"));
    } catch (...) {
      return XVAL_INTERNAL;
    }
  }
}

// The argument named `what` is NULL where it may not be.
inline xval_status NullArgument(const char* function, const char* what) {
  return Fail(absl::InvalidArgumentError(std::string(function) + ": " + what + " is NULL"));
}

// The integer a C caller put in an enum (any int is valid C, but in C++ a value outside the
// enumerators' range is undefined behaviour to load as the enum): read through its bytes.
template <typename Enum>
long RawEnum(const Enum& value) {
  std::underlying_type_t<Enum> raw;
  static_assert(sizeof(raw) == sizeof(value));
  std::memcpy(&raw, &value, sizeof(raw));
  return static_cast<long>(raw);
}

// Stores `needed`; BUFFER_TOO_SMALL (with a message) when it exceeds `capacity`.
xval_status CheckCapacity(const char* function, size_t needed, size_t capacity) noexcept;

// Copies `text` out as the buffer conventions say: *length gets its size; NUL-terminated when
// there is room.
xval_status CopyText(const char* function, const std::string& text, char* out, size_t capacity,
                     size_t* length);

// A C caller's dtype, checked (InvalidArgument naming `what` for a value outside the enum).
absl::StatusOr<xval::kernels::DType> DTypeOf(const xval_dtype& dtype, const char* what);

}  // namespace xval::c_api

#endif  // XVAL_BINDINGS_C_C_API_INTERNAL_H_
