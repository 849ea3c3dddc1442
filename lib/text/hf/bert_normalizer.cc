// The BertNormalizer (tokenizers normalizers/bert.rs): control characters removed and
// whitespace turned into spaces (clean_text), spaces around CJK ideographs
// (handle_chinese_chars), accents stripped after NFD (strip_accents, by default when
// lowercasing), then lowercase.
#include <unicode/uchar.h>

#include "text/hf/stages.h"
#include "text/hf/unicode_props.h"
#include "util/utf8.h"

namespace xval::text::hf {
namespace {

bool IsChineseChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// bert.rs is_control: general category C (Cc, Cf, Cs, Co, Cn) except tab, newline, return.
bool IsControl(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  if (c < 0x80) return c < 0x20 || c == 0x7F;  // ASCII's category C: Cc
  return (U_GET_GC_MASK(c) & U_GC_C_MASK) != 0;
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        chinese_chars_(chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase),
        nfd_(MakeNfd()) {}

  void Normalize(AlignedText* t) const override {
    if (NormalizeAscii(t)) return;
    if (clean_text_) {
      MapChars(t, [](char32_t c, std::string* out) {
        if (c == 0 || c == 0xFFFD || IsControl(c)) return;
        if (IsWhitespace(c)) {
          out->push_back(' ');
        } else {
          util::AppendUtf8(c, out);
        }
      });
    }
    if (chinese_chars_) {
      MapChars(t, [](char32_t c, std::string* out) {
        const bool pad = IsChineseChar(c);
        if (pad) out->push_back(' ');
        util::AppendUtf8(c, out);
        if (pad) out->push_back(' ');
      });
    }
    if (strip_accents_) {
      nfd_->Normalize(t);
      MapChars(t, [](char32_t c, std::string* out) {
        if (U_GET_GC_MASK(c) != U_GC_MN_MASK) util::AppendUtf8(c, out);
      });
    }
    if (lowercase_) {
      MapChars(t, [](char32_t c, std::string* out) { AppendLowercase(c, out); });
    }
  }

 private:
  // All four steps at once on ASCII text, in place when no control character is removed: no
  // CJK, no accents, and whitespace and case map byte to byte. False (nothing done) otherwise.
  bool NormalizeAscii(AlignedText* t) const {
    bool drop = false;
    for (const char c : t->text) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x80) return false;
      // Controls (all of C0 and DEL but tab, newline, return) are removed.
      drop |= clean_text_ && (u == 0x7F || (u < 0x20 && u != '\t' && u != '\n' && u != '\r'));
    }
    if (drop) return false;  // rare: the general path removes them
    for (char& c : t->text) {
      if (clean_text_ && (c == '\t' || c == '\n' || c == '\r')) c = ' ';
      if (lowercase_ && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return true;
  }

  bool clean_text_, chinese_chars_, strip_accents_, lowercase_;
  std::unique_ptr<Normalizer> nfd_;
};

}  // namespace

NormalizerPtr MakeBertNormalizer(const StageJson& json) {
  const bool lowercase = OptBool(json.json, "lowercase", true);
  return std::unique_ptr<Normalizer>(new BertNormalizer(
      OptBool(json.json, "clean_text", true), OptBool(json.json, "handle_chinese_chars", true),
      OptBool(json.json, "strip_accents", lowercase), lowercase));
}

}  // namespace xval::text::hf
