// Every kind of tokenizer, for suites that must hold for all of them (concurrency, streaming
// decode): SentencePiece from .model and tokenizer.json, byte-level BPE (cl100k, o200k), digit
// modes, xVal over each base, the xVal paper's, and xVal over xVal.
#ifndef XVAL_TESTS_SUPPORT_TOKENIZER_KINDS_H_
#define XVAL_TESTS_SUPPORT_TOKENIZER_KINDS_H_

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "xval/tokenizer.h"

namespace xval::testing {

// One tokenizer under test and how to build it from ../shared/data.
struct Kind {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<Tokenizer>>()> make;
};
void PrintTo(const Kind& kind, std::ostream* os);

std::vector<Kind> TokenizerKinds();

}  // namespace xval::testing

#endif  // XVAL_TESTS_SUPPORT_TOKENIZER_KINDS_H_
