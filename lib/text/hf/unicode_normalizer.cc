// Normalizers NFC, NFD, NFKC and NFKD, on ICU's Normalizer2. ICU's edit record aligns each
// rewritten stretch with the input it came from.
#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>

#include "text/hf/stages.h"
#include "text/hf/unicode_props.h"

namespace xval::text::hf {
namespace {

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(const icu::Normalizer2* form) : form_(form) {}

  bool IsNormalized(absl::string_view text) const override {
    size_t i = 0;  // ASCII is in every form
    while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    if (i == text.size()) return true;
    if (i > 0) --i;  // the last ASCII character may compose with what follows
    UErrorCode status = U_ZERO_ERROR;
    const bool yes = form_->isNormalizedUTF8(
        icu::StringPiece(text.data() + i, static_cast<int32_t>(text.size() - i)), status);
    return yes && U_SUCCESS(status);
  }

  // A space has a normalization boundary before it in every form (it is a starter that
  // composes with nothing before it), so each side normalizes alone.
  bool KeepsSpacedWordCuts() const override { return true; }

  void Normalize(AlignedText* t) const override {
    if (IsNormalized(t->text)) return;
    UErrorCode status = U_ZERO_ERROR;
    const icu::StringPiece input(t->text.data(), static_cast<int32_t>(t->text.size()));
    AlignedText out;
    icu::StringByteSink<std::string> sink(&out.text);
    icu::Edits edits;
    form_->normalizeUTF8(0, input, sink, &edits, status);
    if (U_FAILURE(status)) return;  // out of memory: the text stays as it was
    out.from.reserve(out.text.size());
    icu::Edits::Iterator it = edits.getFineIterator();
    while (it.next(status)) {
      const size_t src = it.sourceIndex(), old_len = it.oldLength(), new_len = it.newLength();
      if (!it.hasChange()) {
        out.from.insert(out.from.end(), t->from.begin() + src, t->from.begin() + src + old_len);
      } else if (new_len > 0) {
        const Offset span = old_len > 0 ? t->Span(src, src + old_len)
                            : src > 0   ? t->from[src - 1]
                                        : t->from.front();
        out.from.resize(out.from.size() + new_len, span);
      }
    }
    if (out.from.size() != out.text.size()) return;  // never expected: keep the input
    *t = std::move(out);
  }

 private:
  const icu::Normalizer2* form_;
};

}  // namespace

std::unique_ptr<Normalizer> MakeNfd() {
  UErrorCode status = U_ZERO_ERROR;
  return std::unique_ptr<Normalizer>(
      new UnicodeNormalizer(icu::Normalizer2::getNFDInstance(status)));
}

NormalizerPtr MakeUnicodeNormalizer(const StageJson& json) {
  const std::string_view type = OptString(json.json, "type");
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* form = type == "NFC"    ? icu::Normalizer2::getNFCInstance(status)
                                 : type == "NFD"  ? icu::Normalizer2::getNFDInstance(status)
                                 : type == "NFKC" ? icu::Normalizer2::getNFKCInstance(status)
                                                  : icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status) || form == nullptr) {
    return json.file.Error(json.Field("type"), absl::StrCat("ICU has no ", A(type),
                                                            " normalizer: ", u_errorName(status)));
  }
  return std::unique_ptr<Normalizer>(new UnicodeNormalizer(form));
}

}  // namespace xval::text::hf
