// Bytes to text with invalid UTF-8 replaced by U+FFFD, one per maximal invalid subpart, as
// Python's bytes.decode("utf-8", errors="replace") (what tiktoken's decode uses) and Rust's
// String::from_utf8_lossy (what Hugging Face's decoders use) both do.
#ifndef XVAL_TEXT_BYTELEVEL_UTF8_REPLACE_H_
#define XVAL_TEXT_BYTELEVEL_UTF8_REPLACE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace xval::text {

std::string Utf8Replace(absl::string_view bytes);

}  // namespace xval::text

#endif  // XVAL_TEXT_BYTELEVEL_UTF8_REPLACE_H_
