// RETURN_IF_ERROR and ASSIGN_OR_RETURN, which the Abseil release in Debian does not export.
#ifndef XVAL_UTIL_STATUS_MACROS_H_
#define XVAL_UTIL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define XVAL_CONCAT_INNER_(a, b) a##b
#define XVAL_CONCAT_(a, b) XVAL_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    const ::absl::Status xval_status_ = (expr);  \
    if (!xval_status_.ok()) return xval_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(XVAL_CONCAT_(xval_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()

#endif  // XVAL_UTIL_STATUS_MACROS_H_
