// Text on its way through a tokenizer.json pipeline: its bytes and, for each byte, the span of
// the input it came from (Hugging Face's NormalizedString alignments), so that a token's offsets
// still point into the caller's text after normalizers and pre-tokenizers have rewritten it.
#ifndef XVAL_TEXT_HF_ALIGNED_TEXT_H_
#define XVAL_TEXT_HF_ALIGNED_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "util/utf8.h"
#include "xval/encoding.h"

namespace xval::text::hf {

struct AlignedText {
  std::string text;
  std::vector<Offset> from;  // [text.size()]: the input bytes each byte came from

  // `input` as is, byte i from [base + i, base + i + 1).
  static AlignedText Identity(absl::string_view input, uint32_t base);
  // Bytes [begin, end) of this text, with their spans.
  AlignedText Slice(size_t begin, size_t end) const;
  // Appends bytes [begin, end) of `other` with their spans.
  void AppendSlice(const AlignedText& other, size_t begin, size_t end);
  // Appends `bytes`, each from `span`.
  void Append(absl::string_view bytes, Offset span);
  // The input span of bytes [begin, end) (end > begin).
  Offset Span(size_t begin, size_t end) const {
    return Offset{from[begin].begin, from[end - 1].end};
  }
};

// Rewrites `t` one character at a time: `map(c, &out)` appends what character `c` becomes (maybe
// nothing, maybe several characters) to `out`; each byte appended is given the character's span.
// Invalid UTF-8 bytes are characters of their own (U+FFFD for `map`). Returns false, leaving `t`
// as it was, when nothing changed.
template <typename Map>
bool MapChars(AlignedText* t, Map map);

// The code point at byte `i` of `s` and its length; an invalid byte is U+FFFD of length 1.
inline char32_t CharAt(absl::string_view s, size_t i, size_t* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  return util::DecodeUtf8(s.data() + i, s.size() - i, len);
}

}  // namespace xval::text::hf

#include "text/hf/aligned_text_inl.h"

#endif  // XVAL_TEXT_HF_ALIGNED_TEXT_H_
