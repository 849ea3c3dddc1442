// llama.cpp's pre-tokenizer types (tokenizer.ggml.pre in a GGUF vocabulary of model "gpt2"):
// the patterns each applies in turn, and the flags it sets (src/llama-vocab.cpp,
// llm_tokenizer_bpe and llama_vocab::impl::load). One table; a new type is one entry.
#ifndef XVAL_TEXT_GGUF_LLAMACPP_PRE_TYPES_H_
#define XVAL_TEXT_GGUF_LLAMACPP_PRE_TYPES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/pretokenize/pretokenizer.h"

namespace xval::text {

struct LlamaCppPreType {
  std::vector<std::shared_ptr<const PreTokenizer>> stages;  // applied in order
  bool ignore_merges = false;                               // a piece that is a token is that token
  bool add_bos = false;  // llama.cpp's default before tokenizer.ggml.add_bos_token
};

// The stages of `pre` ("" when the file has no tokenizer.ggml.pre: llama.cpp's "default").
// Unknown types are an error naming the file and the types known, as in llama.cpp.
absl::StatusOr<LlamaCppPreType> MakeLlamaCppPreType(absl::string_view pre,
                                                    absl::string_view source);

}  // namespace xval::text

#endif  // XVAL_TEXT_GGUF_LLAMACPP_PRE_TYPES_H_
