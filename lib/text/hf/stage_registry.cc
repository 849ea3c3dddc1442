// The registry: tokenizer.json's stage types to their factories. A new variant is one file with
// its factory and one line here.
#include "absl/strings/str_join.h"
#include "text/hf/stages.h"
#include "util/status_macros.h"

namespace xval::text::hf {
namespace {

template <typename Factory>
struct Entry {
  const char* type;
  Factory factory;
};

const Entry<NormalizerPtr (*)(const StageJson&)> kNormalizers[] = {
    {"NFC", MakeUnicodeNormalizer},
    {"NFD", MakeUnicodeNormalizer},
    {"NFKC", MakeUnicodeNormalizer},
    {"NFKD", MakeUnicodeNormalizer},
    {"Lowercase", MakeCaseNormalizer},
    {"Strip", MakeStripNormalizer},
    {"StripAccents", MakeStripNormalizer},
    {"Replace", MakeReplaceNormalizer},
    {"Prepend", MakeReplaceNormalizer},
    {"BertNormalizer", MakeBertNormalizer},
    {"Precompiled", MakePrecompiledNormalizer},
    {"Sequence", MakeNormalizerSequence},
};

const Entry<PreTokenizerPtr (*)(const StageJson&)> kPreTokenizers[] = {
    {"Split", MakeSplitPreTokenizer},
    {"Whitespace", MakeWhitespacePreTokenizer},
    {"WhitespaceSplit", MakeWhitespacePreTokenizer},
    {"BertPreTokenizer", MakeWhitespacePreTokenizer},
    {"Punctuation", MakePunctuationPreTokenizer},
    {"Digits", MakeDigitsPreTokenizer},
    {"Metaspace", MakeMetaspacePreTokenizer},
    {"ByteLevel", MakeByteLevelPreTokenizer},
    {"UnicodeScripts", MakeUnicodeScriptsPreTokenizer},
    {"Sequence", MakePreTokenizerSequence},
};

const Entry<ModelPtr (*)(const StageJson&)> kModels[] = {
    {"BPE", MakeBpeModel},
    {"WordPiece", MakeWordPieceModel},
    {"WordLevel", MakeWordLevelModel},
    {"Unigram", MakeUnigramModel},
};

const Entry<DecoderPtr (*)(const StageJson&)> kDecoders[] = {
    {"ByteLevel", MakeByteLevelDecoder}, {"Metaspace", MakeMetaspaceDecoder},
    {"WordPiece", MakeWordPieceDecoder}, {"BPEDecoder", MakeWordPieceDecoder},
    {"CTC", MakeWordPieceDecoder},       {"ByteFallback", MakeTextDecoder},
    {"Fuse", MakeTextDecoder},           {"Strip", MakeTextDecoder},
    {"Replace", MakeTextDecoder},        {"Sequence", MakeDecoderSequence},
};

template <typename Result, typename Table>
Result Make(const StageJson& json, const Table& table, const char* kind) {
  std::string_view type;
  if (json.json["type"].get_string().get(type)) {
    return json.file.Error(json.Field("type"), "missing or not a string");
  }
  std::vector<std::string> known;
  for (const auto& entry : table) {
    if (type == entry.type) return entry.factory(json);
    known.emplace_back(entry.type);
  }
  return json.file.Unsupported(json.Field("type"),
                               absl::StrCat(kind, " \"", A(type), "\" is not supported (",
                                            absl::StrJoin(known, ", "), " are)"));
}

}  // namespace

NormalizerPtr MakeNormalizer(const StageJson& json) {
  return Make<NormalizerPtr>(json, kNormalizers, "normalizer");
}
PreTokenizerPtr MakePreTokenizer(const StageJson& json) {
  return Make<PreTokenizerPtr>(json, kPreTokenizers, "pre-tokenizer");
}
ModelPtr MakeModel(const StageJson& json) { return Make<ModelPtr>(json, kModels, "model"); }
bool IsRegisteredModel(std::string_view type) {
  for (const auto& entry : kModels) {
    if (type == entry.type) return true;
  }
  return false;
}
DecoderPtr MakeDecoder(const StageJson& json) {
  return Make<DecoderPtr>(json, kDecoders, "decoder");
}

namespace {

class NormalizerSequence : public Normalizer {
 public:
  explicit NormalizerSequence(std::vector<std::unique_ptr<Normalizer>> stages)
      : stages_(std::move(stages)) {}
  void Normalize(AlignedText* t) const override {
    for (const auto& s : stages_) s->Normalize(t);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> stages_;
};

}  // namespace

NormalizerPtr MakeNormalizerSequence(const StageJson& json) {
  ASSIGN_OR_RETURN(auto stages, MakeStages<Normalizer>(json, "normalizers", MakeNormalizer));
  return std::unique_ptr<Normalizer>(new NormalizerSequence(std::move(stages)));
}

}  // namespace xval::text::hf
