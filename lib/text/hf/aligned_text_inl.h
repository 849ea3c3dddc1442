// MapChars, a template (aligned_text.h).
#ifndef XVAL_TEXT_HF_ALIGNED_TEXT_INL_H_
#define XVAL_TEXT_HF_ALIGNED_TEXT_INL_H_

#include <utility>

#include "text/hf/aligned_text.h"

namespace xval::text::hf {

template <typename Map>
bool MapChars(AlignedText* t, Map map) {
  AlignedText out;
  out.text.reserve(t->text.size());
  out.from.reserve(t->text.size());
  std::string piece;
  bool changed = false;
  for (size_t i = 0, len; i < t->text.size(); i += len) {
    const char32_t c = CharAt(t->text, i, &len);
    piece.clear();
    map(c, &piece);
    const absl::string_view original(t->text.data() + i, len);
    if (piece != original) changed = true;
    out.Append(piece, t->Span(i, i + len));
  }
  if (!changed) return false;
  *t = std::move(out);
  return true;
}

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_ALIGNED_TEXT_INL_H_
