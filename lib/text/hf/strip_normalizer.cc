// Normalizers Strip (whitespace at the ends, Rust's char::is_whitespace) and StripAccents
// (every combining mark removed; meant after NFD).
#include "text/hf/stages.h"
#include "text/hf/unicode_props.h"
#include "util/utf8.h"

namespace xval::text::hf {
namespace {

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}

  void Normalize(AlignedText* t) const override {
    size_t begin = 0, end = t->text.size();
    if (left_) {
      for (size_t len; begin < end && IsWhitespace(CharAt(t->text, begin, &len));) begin += len;
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;  // the last character's first byte
        while (start > begin && (static_cast<unsigned char>(t->text[start]) & 0xC0) == 0x80)
          --start;
        size_t len;
        if (!IsWhitespace(CharAt(t->text, start, &len)) || start + len != end) break;
        end = start;
      }
    }
    if (begin > 0 || end < t->text.size()) *t = t->Slice(begin, end);
  }

 private:
  bool left_, right_;
};

class StripAccents : public Normalizer {
 public:
  void Normalize(AlignedText* t) const override {
    MapChars(t, [](char32_t c, std::string* out) {
      if (!IsMark(c)) util::AppendUtf8(c, out);
    });
  }
};

}  // namespace

NormalizerPtr MakeStripNormalizer(const StageJson& json) {
  if (OptString(json.json, "type") == "StripAccents") {
    return std::unique_ptr<Normalizer>(new StripAccents());
  }
  return std::unique_ptr<Normalizer>(
      new Strip(OptBool(json.json, "strip_left", true), OptBool(json.json, "strip_right", true)));
}

}  // namespace xval::text::hf
