// MapChars, a template (aligned_text.h).
#ifndef XVAL_TEXT_HF_ALIGNED_TEXT_INL_H_
#define XVAL_TEXT_HF_ALIGNED_TEXT_INL_H_

#include <utility>

#include "text/hf/aligned_text.h"

namespace xval::text::hf {

template <typename Map>
bool MapChars(AlignedText* t, Map map) {
  const std::string& s = t->text;
  std::string piece;
  size_t i = 0, len = 0;
  // Most texts come through unchanged: find the first character that changes before building.
  for (; i < s.size(); i += len) {
    const char32_t c = CharAt(s, i, &len);
    piece.clear();
    map(c, &piece);
    if (piece.size() != len || piece.compare(0, len, s, i, len) != 0) break;
  }
  if (i == s.size()) return false;
  AlignedText out;
  out.text.reserve(s.size() + s.size() / 4);
  out.from.reserve(s.size() + s.size() / 4);
  out.AppendSlice(*t, 0, i);
  out.Append(piece, t->Span(i, i + len));  // the first change, mapped above
  for (i += len; i < s.size(); i += len) {
    const char32_t c = CharAt(s, i, &len);
    piece.clear();
    map(c, &piece);
    out.Append(piece, t->Span(i, i + len));
  }
  *t = std::move(out);
  return true;
}

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_ALIGNED_TEXT_INL_H_
