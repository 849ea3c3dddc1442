// The stages of a Hugging Face tokenizer.json pipeline, as its file names them: normalizers,
// pre-tokenizers, a model, decoders. Each variant is one factory in one file; the registry
// (stage_registry.cc) maps the file's "type" to it. Every stage reproduces Hugging Face
// `tokenizers` exactly (tests/python/test_hf_pipeline.py compares ids and text on the corpus).
//
// Thread safety: stages are immutable once built; their methods may be called from any thread.
#ifndef XVAL_TEXT_HF_STAGES_H_
#define XVAL_TEXT_HF_STAGES_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "simdjson.h"
#include "text/hf/aligned_text.h"
#include "text/hf/regex.h"
#include "text/hf_json.h"

namespace xval::text {
class PieceTable;
}

namespace xval::text::hf {

// Rewrites the text (and its alignment) in place.
class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void Normalize(AlignedText* t) const = 0;
  // True when Normalize would leave `text` as it is, known without rewriting it (a quick
  // check); false when it might not.
  virtual bool IsNormalized(absl::string_view text) const { return text.empty(); }
  // True when normalizing the two sides of a cut apart gives what normalizing the whole text
  // gives, at any cut before a space that follows an ASCII letter or digit (where
  // Tokenizer::SafeCut may cut a long text into parts encoded apart).
  virtual bool KeepsSpacedWordCuts() const { return false; }
};

// Bytes [begin, end) of a text.
struct Range {
  uint32_t begin, end;
};

// The pieces of a text as a pre-tokenizer leaves them: ranges of one text, in order, never
// empty. Cutting stages only change the ranges; stages that rewrite (ByteLevel, Metaspace) write
// a new text into `owned` and point `text` at it.
struct PieceList {
  const AlignedText* text;
  AlignedText owned;
  std::vector<Range> ranges;

  absl::string_view View(Range r) const {
    return absl::string_view(text->text.data() + r.begin, r.end - r.begin);
  }
  // Makes `rewritten` the text (the ranges must be its own).
  void Replace(AlignedText rewritten) {
    owned = std::move(rewritten);
    text = &owned;
  }
  // The same, swapping buffers: `rewritten` gets the old ones back to reuse.
  void Swap(AlignedText* rewritten) {
    std::swap(owned, *rewritten);
    text = &owned;
  }
};

// Cuts the pieces into pieces (and may rewrite them); pieces may be dropped (Removed
// delimiters) but none is empty.
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void Split(PieceList* pieces) const = 0;
};

// One token of a piece: its id and the bytes [begin, end) of the piece it covers.
struct ModelToken {
  int32_t id;
  uint32_t begin, end;
};

// Turns one piece into tokens.
class Model {
 public:
  virtual ~Model() = default;
  virtual void Tokenize(absl::string_view piece, std::vector<ModelToken>* out) const = 0;
};

// Rewrites the tokens' texts on the way back to text (Hugging Face's decode_chain); the
// results are joined.
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void Decode(std::vector<std::string>* tokens) const = 0;
  // True for ByteFallback (and a Sequence holding it): a run of <0xXX> tokens that is not
  // UTF-8 as a whole prints one U+FFFD per token, so their text waits for the run's end.
  virtual bool ReadsByteRuns() const { return false; }
};

// What a factory reads: the stage's JSON object, where it is in the file (for errors), and, for
// models, the vocabulary table the tokenizer built from model.vocab.
struct StageJson {
  const JsonFile& file;
  simdjson::dom::element json;
  std::string field;  // "normalizer.normalizers[1]"
  const PieceTable* vocab = nullptr;
  std::string Field(absl::string_view key) const { return absl::StrCat(field, ".", key); }
};

// The registry: the stage of `json`'s "type", built by its factory; an unknown type is refused
// (Unimplemented, naming the field and the types that are read).
absl::StatusOr<std::unique_ptr<Normalizer>> MakeNormalizer(const StageJson& json);
absl::StatusOr<std::unique_ptr<PreTokenizer>> MakePreTokenizer(const StageJson& json);
absl::StatusOr<std::unique_ptr<Model>> MakeModel(const StageJson& json);
absl::StatusOr<std::unique_ptr<Decoder>> MakeDecoder(const StageJson& json);
// True when the registry has a model of this type (the vocabulary is read only then).
bool IsRegisteredModel(std::string_view type);

// A stage's "pattern": {"String": ...} (a literal) or {"Regex": ...} (Oniguruma).
absl::StatusOr<Regex> ReadPattern(const StageJson& json);

// The ids of the byte tokens "<0x00>" .. "<0xFF>" of a vocabulary (-1 where absent), for the
// models with byte_fallback.
std::array<int32_t, 256> ByteTokenIds(const PieceTable& vocab);

// The stages of a Sequence: each element of the array `key` through `make` (the registry),
// named "<field>.<key>[i]" in errors.
template <typename Stage>
absl::StatusOr<std::vector<std::unique_ptr<Stage>>> MakeStages(
    const StageJson& json, const char* key,
    absl::StatusOr<std::unique_ptr<Stage>> (*make)(const StageJson&)) {
  simdjson::dom::array steps;
  if (json.json[key].get_array().get(steps)) {
    return json.file.Error(json.Field(key), "expected an array");
  }
  std::vector<std::unique_ptr<Stage>> stages;
  for (simdjson::dom::element step : steps) {
    auto stage = make(StageJson{
        json.file, step, absl::StrCat(json.field, ".", key, "[", stages.size(), "]"), json.vocab});
    if (!stage.ok()) return stage.status();
    stages.push_back(*std::move(stage));
  }
  return stages;
}

// The factories, one per file (the registry's entries).
using NormalizerPtr = absl::StatusOr<std::unique_ptr<Normalizer>>;
using PreTokenizerPtr = absl::StatusOr<std::unique_ptr<PreTokenizer>>;
using ModelPtr = absl::StatusOr<std::unique_ptr<Model>>;
using DecoderPtr = absl::StatusOr<std::unique_ptr<Decoder>>;

NormalizerPtr MakeUnicodeNormalizer(const StageJson& json);      // NFC, NFD, NFKC, NFKD
NormalizerPtr MakeCaseNormalizer(const StageJson& json);         // Lowercase
NormalizerPtr MakeStripNormalizer(const StageJson& json);        // Strip, StripAccents
NormalizerPtr MakeReplaceNormalizer(const StageJson& json);      // Replace, Prepend
NormalizerPtr MakeBertNormalizer(const StageJson& json);         // BertNormalizer
NormalizerPtr MakePrecompiledNormalizer(const StageJson& json);  // Precompiled
NormalizerPtr MakeNormalizerSequence(const StageJson& json);     // Sequence

PreTokenizerPtr MakeSplitPreTokenizer(const StageJson& json);           // Split
PreTokenizerPtr MakeWhitespacePreTokenizer(const StageJson& json);      // Whitespace(Split), Bert
PreTokenizerPtr MakePunctuationPreTokenizer(const StageJson& json);     // Punctuation
PreTokenizerPtr MakeDigitsPreTokenizer(const StageJson& json);          // Digits
PreTokenizerPtr MakeMetaspacePreTokenizer(const StageJson& json);       // Metaspace
PreTokenizerPtr MakeByteLevelPreTokenizer(const StageJson& json);       // ByteLevel
PreTokenizerPtr MakeUnicodeScriptsPreTokenizer(const StageJson& json);  // UnicodeScripts
PreTokenizerPtr MakePreTokenizerSequence(const StageJson& json);        // Sequence

ModelPtr MakeBpeModel(const StageJson& json);        // BPE
ModelPtr MakeWordPieceModel(const StageJson& json);  // WordPiece
ModelPtr MakeWordLevelModel(const StageJson& json);  // WordLevel
ModelPtr MakeUnigramModel(const StageJson& json);    // Unigram

DecoderPtr MakeByteLevelDecoder(const StageJson& json);  // ByteLevel
DecoderPtr MakeMetaspaceDecoder(const StageJson& json);  // Metaspace
DecoderPtr MakeWordPieceDecoder(const StageJson& json);  // WordPiece, BPEDecoder, CTC
DecoderPtr MakeTextDecoder(const StageJson& json);       // ByteFallback, Fuse, Strip, Replace
DecoderPtr MakeDecoderSequence(const StageJson& json);   // Sequence

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_STAGES_H_
