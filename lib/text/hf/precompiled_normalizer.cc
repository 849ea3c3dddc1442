// The Precompiled normalizer (SentencePiece's character map in a tokenizer.json, base64), as
// tokenizers applies it: each extended grapheme cluster shorter than 6 bytes that the map
// knows is replaced whole by the map's shortest matching prefix's replacement; the characters
// of the other clusters one by one.
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include "absl/strings/escaping.h"
#include "text/hf/stages.h"
#include "text/unigram/precompiled_charsmap.h"
#include "util/status_macros.h"

namespace xval::text::hf {
namespace {

class Precompiled : public Normalizer {
 public:
  explicit Precompiled(PrecompiledCharsmap map) : map_(std::move(map)) {}

  void Normalize(AlignedText* t) const override {
    if (map_.empty() || t->text.empty()) return;
    std::vector<size_t> bounds;
    Graphemes(t->text, &bounds);
    AlignedText out;
    bool changed = false;
    absl::string_view rep;
    const absl::string_view text = t->text;
    for (size_t g = 0; g + 1 < bounds.size(); ++g) {
      const size_t b = bounds[g], e = bounds[g + 1];
      const absl::string_view cluster = text.substr(b, e - b);
      if (cluster.size() < 6 && map_.ShortestPrefix(cluster, &rep) > 0) {
        out.Append(rep, t->Span(b, e));
        changed = true;
        continue;
      }
      for (size_t i = b, len; i < e; i += len) {
        CharAt(text, i, &len);
        if (map_.ShortestPrefix(text.substr(i, len), &rep) > 0) {
          out.Append(rep, t->Span(i, i + len));
          changed = true;
        } else {
          out.AppendSlice(*t, i, i + len);
        }
      }
    }
    if (changed) *t = std::move(out);
  }

 private:
  // The byte offsets of the text's extended grapheme cluster boundaries, 0 and size included.
  static void Graphemes(absl::string_view text, std::vector<size_t>* bounds) {
    thread_local std::unique_ptr<icu::BreakIterator> iter = [] {
      UErrorCode status = U_ZERO_ERROR;
      return std::unique_ptr<icu::BreakIterator>(
          icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    }();
    UErrorCode status = U_ZERO_ERROR;
    UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
    if (iter == nullptr || U_FAILURE(status)) {  // no ICU data: characters one by one
      for (size_t i = 0, len; i < text.size(); i += len) {
        bounds->push_back(i);
        CharAt(text, i, &len);
      }
      bounds->push_back(text.size());
      if (ut != nullptr) utext_close(ut);
      return;
    }
    iter->setText(ut, status);
    for (int32_t p = iter->first(); p != icu::BreakIterator::DONE; p = iter->next()) {
      bounds->push_back(static_cast<size_t>(p));
    }
    utext_close(ut);
  }

  PrecompiledCharsmap map_;
};

}  // namespace

NormalizerPtr MakePrecompiledNormalizer(const StageJson& json) {
  std::string_view b64;
  if (json.json["precompiled_charsmap"].get_string().get(b64)) {
    return json.file.Error(json.Field("precompiled_charsmap"), "expected a base64 string");
  }
  std::string blob;
  if (!absl::Base64Unescape(A(b64), &blob)) {
    return json.file.Error(json.Field("precompiled_charsmap"), "not valid base64");
  }
  ASSIGN_OR_RETURN(PrecompiledCharsmap map,
                   PrecompiledCharsmap::Parse(
                       std::move(blob),
                       absl::StrCat(json.file.source(), ": ", json.Field("precompiled_charsmap"))));
  return std::unique_ptr<Normalizer>(new Precompiled(std::move(map)));
}

}  // namespace xval::text::hf
