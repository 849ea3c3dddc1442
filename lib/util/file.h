// Reading whole files, with errors that name the file.
#ifndef XVAL_UTIL_FILE_H_
#define XVAL_UTIL_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace xval::util {

// NotFound when the file does not exist, InvalidArgument when it cannot be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace xval::util

#endif  // XVAL_UTIL_FILE_H_
