// Loaders that turn a SentencePiece `.model` file or a Hugging Face `tokenizer.json` of the
// Llama kind into an SpmConfig.
#ifndef XVAL_TEXT_SPM_SPM_LOADER_H_
#define XVAL_TEXT_SPM_SPM_LOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/spm/spm_tokenizer.h"

namespace xval::text {

// `data` is the file's content, `source` its path (for messages). BPE models only.
absl::StatusOr<SpmConfig> SpmConfigFromModelProto(absl::string_view data, absl::string_view source);

// A `.model` file of type BPE (an SpmTokenizer) or UNIGRAM (a UnigramTokenizer), with its
// precompiled character map when it has one.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadSentencePieceModel(absl::string_view data,
                                                                  absl::string_view source,
                                                                  const TokenizerOptions& options);

// A tokenizer.json whose model is BPE with byte fallback and whose normalizer prepends and
// escapes "▁" (Llama 2 / Code Llama's converted tokenizers), or whose pre-tokenizer is an
// unsplit Metaspace.
absl::StatusOr<SpmConfig> SpmConfigFromLlamaTokenizerJson(absl::string_view data,
                                                          absl::string_view source);

}  // namespace xval::text

#endif  // XVAL_TEXT_SPM_SPM_LOADER_H_
