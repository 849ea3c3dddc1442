#include "support/tokenizer_kinds.h"

#include <ostream>

#include "support/corpus.h"
#include "xval/xval_tokenizer.h"

namespace xval::testing {

void PrintTo(const Kind& kind, std::ostream* os) { *os << kind.name; }

namespace {

std::string Data(const std::string& rel) { return testing::DataDir() + "/" + rel; }

absl::StatusOr<std::unique_ptr<Tokenizer>> Plain(const std::string& path,
                                                 const char* digits = "none") {
  TokenizerOptions options;
  auto split = DigitSplit::Parse(digits);
  if (!split.ok()) return split.status();
  options.digits = *split;
  options.data_dir = Data("tokenizers/tiktoken");
  return LoadTokenizer(path, options);
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Xval(absl::StatusOr<std::unique_ptr<Tokenizer>> base,
                                                const XvalOptions& options = {}) {
  if (!base.ok()) return base.status();
  auto x = XvalTokenizer::Create(*std::move(base), options);
  if (!x.ok()) return x.status();
  return std::unique_ptr<Tokenizer>(*std::move(x));
}

}  // namespace

std::vector<Kind> TokenizerKinds() {
  const std::string llama = Data("tokenizers/llama2/tokenizer.model");
  const std::string llama_json = Data("tokenizers/llama2/tokenizer.json");
  const std::string cl100k = Data("tokenizers/tiktoken/cl100k_base.tiktoken");
  const std::string o200k = Data("tokenizers/tiktoken/o200k_base.tiktoken");
  const std::string paper = Data("tokenizers/xval/tokenizer.json");
  return {
      {"llama_model", [=] { return Plain(llama); }},
      {"llama_json", [=] { return Plain(llama_json); }},
      {"llama_individual_digits", [=] { return Plain(llama, "individual"); }},
      {"cl100k", [=] { return Plain(cl100k); }},
      {"o200k_rtl3", [=] { return Plain(o200k, "rtl3"); }},
      {"cl100k_ltr3", [=] { return Plain(cl100k, "ltr3"); }},
      {"xval_llama", [=] { return Xval(Plain(llama)); }},
      {"xval_llama_json", [=] { return Xval(Plain(llama_json)); }},
      {"xval_cl100k", [=] { return Xval(Plain(cl100k)); }},
      {"xval_o200k_rtl3", [=] { return Xval(Plain(o200k, "rtl3")); }},
      {"xval_paper",
       [=] {
         auto base = LoadBaseTokenizer(paper);
         return Xval(std::move(base), XvalOptions::Paper());
       }},
      // An xVal tokenizer over another one: the inner one finds no numbers left to take (the
      // outer took them), but runs its own scanner and encoder nested in the outer's.
      {"xval_over_xval_llama",
       [=] {
         XvalOptions inner;
         inner.num_token = "[NUM]";
         return Xval(Xval(Plain(llama), inner));
       }},
  };
}

}  // namespace xval::testing
