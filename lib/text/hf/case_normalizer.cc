// The Lowercase normalizer: Rust's char::to_lowercase for each character (the full mapping, no
// context: a lone final sigma stays "σ"), from ICU.
#include <unicode/ustring.h>

#include "text/hf/stages.h"
#include "text/hf/unicode_props.h"
#include "util/utf8.h"

namespace xval::text::hf {

void AppendLowercase(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
    return;
  }
  // One character, no neighbours: ICU's context-dependent rules (final sigma) cannot apply.
  UChar in[2], lower[8];
  int32_t n = 0;
  U16_APPEND_UNSAFE(in, n, c);
  UErrorCode status = U_ZERO_ERROR;
  const int32_t len = u_strToLower(lower, 8, in, n, "", &status);
  if (U_FAILURE(status)) {
    util::AppendUtf8(c, out);
    return;
  }
  for (int32_t i = 0; i < len;) {
    UChar32 l;
    U16_NEXT(lower, i, len, l);
    util::AppendUtf8(static_cast<char32_t>(l), out);
  }
}

namespace {

class Lowercase : public Normalizer {
 public:
  void Normalize(AlignedText* t) const override {
    bool ascii = true;
    for (const char c : t->text) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii) {  // same length: the alignment stands
      for (char& c : t->text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      return;
    }
    MapChars(t, [](char32_t c, std::string* out) { AppendLowercase(c, out); });
  }
};

}  // namespace

NormalizerPtr MakeCaseNormalizer(const StageJson&) {
  return std::unique_ptr<Normalizer>(new Lowercase());
}

}  // namespace xval::text::hf
