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
  void Split(PieceList* pieces) const override {
    std::vector<Range> out;
    std::vector<uint32_t> cuts;
    for (const Range r : pieces->ranges) {
      const absl::string_view piece = pieces->View(r);
      cuts.clear();
      int last = -2;  // none yet
      for (size_t i = 0, len; i < piece.size(); i += len) {
        const int script = FixedScript(CharAt(piece, i, &len));
        if (script != -1 && last != -1 && last != script) cuts.push_back(static_cast<uint32_t>(i));
        if (script != -1) last = script;
      }
      // Text before the first cut (leading spaces) is dropped, as tokenizers drops it.
      cuts.push_back(static_cast<uint32_t>(piece.size()));
      for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        if (cuts[k + 1] > cuts[k]) out.push_back(Range{r.begin + cuts[k], r.begin + cuts[k + 1]});
      }
    }
    pieces->ranges.swap(out);
  }
};

}  // namespace

PreTokenizerPtr MakeUnicodeScriptsPreTokenizer(const StageJson&) {
  return std::unique_ptr<PreTokenizer>(new UnicodeScripts());
}

}  // namespace xval::text::hf
