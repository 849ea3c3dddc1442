// SentencePiece's precompiled character map: the normalization rules (NFKC and the like) of a
// SentencePiece model compiled into a double-array trie over input bytes whose leaves point at
// replacement strings. The same blob is a `.model` file's normalizer_spec.precompiled_charsmap,
// a GGUF vocabulary's tokenizer.ggml.precompiled_charsmap and a tokenizer.json's Precompiled
// normalizer (base64).
//
// Layout: a 4-byte little-endian size of the XOR-compressed double array (XCDA), the array's
// 32-bit entries, then NUL-terminated replacement strings (sentencepiece normalizer.cc;
// llama.cpp llm_tokenizer_ugm).
#ifndef XVAL_TEXT_UNIGRAM_PRECOMPILED_CHARSMAP_H_
#define XVAL_TEXT_UNIGRAM_PRECOMPILED_CHARSMAP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace xval::text {

class PrecompiledCharsmap {
 public:
  PrecompiledCharsmap() = default;  // empty: replaces nothing
  // Checks the header; `source` names the file in the error.
  static absl::StatusOr<PrecompiledCharsmap> Parse(std::string blob, absl::string_view source);

  bool empty() const { return entries_ == 0; }
  // The longest prefix of `input` the map replaces: its length in bytes (0 when none) and, in
  // *replacement, what it becomes. Never reads outside the blob (a malformed trie matches less).
  size_t LongestPrefix(absl::string_view input, absl::string_view* replacement) const;
  // The same for the shortest prefix the map replaces (Hugging Face's Precompiled normalizer
  // takes the first match of its common-prefix search).
  size_t ShortestPrefix(absl::string_view input, absl::string_view* replacement) const;

 private:
  uint32_t Entry(size_t i) const;
  size_t Match(absl::string_view input, absl::string_view* replacement, bool shortest) const;

  std::string blob_;
  size_t entries_ = 0;             // XCDA entries, from byte 4
  size_t replacements_begin_ = 0;  // byte offset of the replacement strings
};

}  // namespace xval::text

#endif  // XVAL_TEXT_UNIGRAM_PRECOMPILED_CHARSMAP_H_
