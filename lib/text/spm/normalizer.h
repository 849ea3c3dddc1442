// SentencePiece's normalizer for models without a precompiled character map (the "identity"
// rule set, which Llama 2, Code Llama and Llemma use), with the byte alignment back to the input
// that sentencepiece keeps (normalizer.cc, Normalizer::Normalize).
#ifndef XVAL_TEXT_SPM_NORMALIZER_H_
#define XVAL_TEXT_SPM_NORMALIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "text/unigram/precompiled_charsmap.h"

namespace xval::text {

struct SpmNormalizerSpec {
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
  bool treat_whitespace_as_suffix = false;
  // The model's precompiled rules (nmt_nfkc, ...); null or empty: identity.
  std::shared_ptr<const PrecompiledCharsmap> charsmap;
};

// "▁" (U+2581), the escaped space.
inline constexpr absl::string_view kSpaceSymbol = "\xE2\x96\x81";

// Normalizes `input` as sentencepiece's Normalizer::Normalize: the character map's
// replacements (when there is one), each invalid UTF-8 byte becomes U+FFFD, spaces become U+2581
// when escaping, extra spaces go when asked, and the dummy prefix is added. On return `normalized`
// holds the text and `to_input` its alignment: to_input[i] is the input byte offset of normalized
// byte i, and to_input[normalized.size()] the end of the input consumed. Offsets are relative to
// `input`, plus `base`.
void SpmNormalize(const SpmNormalizerSpec& spec, absl::string_view input, uint32_t base,
                  std::string* normalized, std::vector<uint32_t>* to_input);

}  // namespace xval::text

#endif  // XVAL_TEXT_SPM_NORMALIZER_H_
