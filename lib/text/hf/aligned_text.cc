#include "text/hf/aligned_text.h"

#include "util/utf8.h"

namespace xval::text::hf {

AlignedText AlignedText::Identity(absl::string_view input, uint32_t base) {
  AlignedText t;
  t.text.assign(input.data(), input.size());
  t.from.resize(input.size());
  for (uint32_t i = 0; i < input.size(); ++i) t.from[i] = Offset{base + i, base + i + 1};
  return t;
}

AlignedText AlignedText::Slice(size_t begin, size_t end) const {
  AlignedText t;
  t.AppendSlice(*this, begin, end);
  return t;
}

void AlignedText::AppendSlice(const AlignedText& other, size_t begin, size_t end) {
  text.append(other.text, begin, end - begin);
  from.insert(from.end(), other.from.begin() + begin, other.from.begin() + end);
}

void AlignedText::Append(absl::string_view bytes, Offset span) {
  text.append(bytes.data(), bytes.size());
  for (size_t k = 0; k < bytes.size(); ++k) from.push_back(span);
}

}  // namespace xval::text::hf
