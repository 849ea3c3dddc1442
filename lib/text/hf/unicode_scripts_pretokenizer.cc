// The UnicodeScripts pre-tokenizer: the text is cut where the script changes (spaces belong to
// any script; Hiragana, Katakana and U+30FC count as Han), scripts from ICU.
#include <unicode/uscript.h>

#include "text/hf/stages.h"

namespace xval::text::hf {
namespace {

int FixedScript(char32_t c) {
  if (c == 0x30FC) return USCRIPT_HAN;
  if (c == ' ') return -1;  // any
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode s = uscript_getScript(static_cast<UChar32>(c), &status);
  return (s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA) ? USCRIPT_HAN : s;
}

class UnicodeScripts : public PreTokenizer {
 public:
  void Split(const AlignedText& piece, std::vector<AlignedText>* out) const override {
    std::vector<size_t> cuts;
    int last = -2;  // none yet
    for (size_t i = 0, len; i < piece.text.size(); i += len) {
      const int script = FixedScript(CharAt(piece.text, i, &len));
      if (script != -1 && last != -1 && last != script) cuts.push_back(i);
      if (script != -1) last = script;
    }
    cuts.push_back(piece.text.size());
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      if (cuts[k + 1] > cuts[k]) out->push_back(piece.Slice(cuts[k], cuts[k + 1]));
    }
  }
};

}  // namespace

PreTokenizerPtr MakeUnicodeScriptsPreTokenizer(const StageJson&) {
  return std::unique_ptr<PreTokenizer>(new UnicodeScripts());
}

}  // namespace xval::text::hf
