// The regular expressions of a tokenizer.json (Split, Replace): Hugging Face runs them on
// Oniguruma; xval translates Oniguruma's dialect where it differs from PCRE2's (`\h` is a hex
// digit there, a horizontal space here) and runs them on PCRE2 with JIT, with Oniguruma's rules
// for empty matches.
#ifndef XVAL_TEXT_HF_REGEX_H_
#define XVAL_TEXT_HF_REGEX_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace xval::text::hf {

class Regex {
 public:
  // An Oniguruma pattern; `source` names the file and field in errors. A construct whose
  // meaning differs and that is not translated is refused (Unimplemented). `^` and `$` match at
  // every line start and end ("\n"), as in Oniguruma's Ruby syntax.
  static absl::StatusOr<Regex> FromOniguruma(absl::string_view pattern, absl::string_view source);
  // A literal string (tokenizer.json's {"String": ...}).
  static absl::StatusOr<Regex> Literal(absl::string_view text, absl::string_view source);
  // A PCRE2 pattern as is.
  static absl::StatusOr<Regex> FromPcre2(absl::string_view pattern, absl::string_view source);

  // Every match [begin, end) of the text, left to right, as Oniguruma's find_iter gives them:
  // an empty match right after the previous match is skipped (the search moves one character
  // on). Thread-safe.
  void FindAll(absl::string_view text, std::vector<std::pair<size_t, size_t>>* matches) const;

 private:
  struct Code;
  static absl::StatusOr<Regex> FromPcre2Lines(absl::string_view pattern, absl::string_view source,
                                              bool multiline);
  explicit Regex(std::shared_ptr<const Code> code) : code_(std::move(code)) {}
  std::shared_ptr<const Code> code_;
};

// Oniguruma's pattern in PCRE2's dialect (exposed for tests).
absl::StatusOr<std::string> TranslateOniguruma(absl::string_view pattern);

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_REGEX_H_
