// xVal tokenization over any base tokenizer (Golkar et al. 2023): every number in the text
// becomes one [NUM] token whose value (Encoding.values) is the number, and the text between
// numbers goes through the base tokenizer (SentencePiece BPE, byte-level BPE, the xVal paper's
// added-token vocabulary, ...).
//
// Contract:
//  - Encode: ids and offsets of the text between numbers are the base tokenizer's, shifted to
//    where the text stands; the offsets of a [NUM] cover the number's bytes; values are 1.0
//    except at [NUM]; no NaN or infinity ever reaches values.
//  - Text after a number is encoded with EncodeOptions::continuation (no SentencePiece dummy
//    prefix), and the space before a number stays with the text before it: "cost 3 now" is
//    "▁cost" "▁" [NUM] "▁now" under Llama, which is also how plain Llama encodes it ("▁" then
//    the digit, split_digits). Absorbing the space into [NUM] would save a token but lose the
//    space: Decode could not tell "cost 3" from "cost3".
//  - A literal "[NUM]" in the text (standard mode) is encoded as text, so that the [NUM] id
//    always stands for a number.
//  - Standard mode: DecodeWithValues(Encode(x)) == x for every x whose numbers survive the
//    value's precision (the shortest decimal is printed: "1.50" decodes as "1.5", "1e5" as
//    "100000"), and DecodeExact(Encode(x), x) == x always, for a base whose Decode is exact.
//  - Paper mode follows the reference code (xval/preprocess.py, tokenize_fnc): it deletes every
//    space, finds numbers with its regex, deletes the ',' between two adjacent numbers
//    ("[1,2]" is "[" [NUM] [NUM] "]"), and rounds values to float16 (through double, as numpy
//    does). Offsets still point into the original text. Decode re-inserts ", " between
//    adjacent numbers, as the reference's decode does.
//
// Thread safety: as Tokenizer (immutable after Create; AddTokens before sharing).
#ifndef XVAL_XVAL_TOKENIZER_H_
#define XVAL_XVAL_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "xval/numbers.h"
#include "xval/tokenizer.h"

namespace xval {

namespace text {
class NumberScanner;
class XvalStreamDecoder;
}

// What to do with a number outside the range of the stored precision (after the transform),
// or with more significant digits than max_significant_digits.
enum class OutOfRangePolicy {
  kError,     // EncodeInto fails with InvalidArgument naming the byte offset
  kText,      // the number stays text and goes through the base tokenizer
  kSaturate,  // the largest finite value of that sign (too many digits: the rounded value)
};

enum class ValuePrecision {
  kFloat32,  // correctly rounded from the decimal (one rounding for the identity transform)
  kFloat16,  // the paper's np.float16: rounded to double, then to float16 (ties to even)
};

struct XvalOptions {
  NumberScanOptions numbers;
  ValueTransform transform;
  OutOfRangePolicy out_of_range = OutOfRangePolicy::kText;
  int max_significant_digits = 0;  // 0: no limit
  ValuePrecision precision = ValuePrecision::kFloat32;
  std::string num_token = "[NUM]";

  // The reference code's behaviour: paper grammar, float16, and saturation where numpy would
  // store an infinity.
  static XvalOptions Paper();
};

// XvalOptions as the xval command's flags and the Python package's keywords spell them.
struct XvalOptionNames {
  std::string mode = "standard";       // or "paper": the xVal reference code's rules
  std::string transform = "identity";  // ValueTransform::Parse's spec
  // Standard-grammar options, comma-separated: plus, leading_dot, trailing_dot, groups, unicode,
  // binary_minus, no_exponent.
  std::string number_options;
  std::string out_of_range;  // text, error or saturate; empty: the mode's default
  int max_digits = 0;        // significant digits beyond which out_of_range applies (0: none)
  std::string precision;     // float32 or float16; empty: the mode's default
};
// InvalidArgument naming the field ("out_of_range: text, error or saturate") on a bad value.
absl::StatusOr<XvalOptions> ParseXvalOptions(const XvalOptionNames& names);

// How one number of a text was read (FindValues): for statistics and tools.
struct NumberValue {
  NumberSpan span;      // bytes of the original text
  float value = 0;      // the stored value (after the transform), when as_num
  bool as_num = false;  // false: kept as text (out-of-range policy kText)
};

class XvalTokenizer : public Tokenizer {
 public:
  // Wraps `base`, adding the [NUM] token to it when absent (Llama: id 32000; the xVal paper's
  // tokenizer.json has it at 3). Fails on invalid options.
  static absl::StatusOr<std::unique_ptr<XvalTokenizer>> Create(std::unique_ptr<Tokenizer> base,
                                                               XvalOptions options);
  ~XvalTokenizer() override;

  absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options, uint32_t base,
                          Encoding* out) const override;

  // Pushed ids and values come out as DecodeWithValues prints them.
  std::unique_ptr<StreamDecoder> NewStreamDecoder() const override;
  // Without values: the base's decoding, each [NUM] as its piece ("[NUM]").
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const override;
  // Each [NUM] as the shortest decimal that encodes back to its value (after the inverse
  // transform). ids and values must have the same length; values at [NUM] must be finite.
  absl::StatusOr<std::string> DecodeWithValues(absl::Span<const int32_t> ids,
                                               absl::Span<const float> values) const;
  // As DecodeWithValues, but a [NUM] whose offsets cover a number of `source` that encodes to
  // the same value is printed with the source's own digits ("1.50", "1e5", "00012").
  absl::StatusOr<std::string> DecodeExact(const Encoding& encoding,
                                          absl::string_view source) const;

  // The numbers of `text` and what becomes of each (for --stats and the corpus figures).
  absl::Status FindValues(absl::string_view text, std::vector<NumberValue>* out) const;

  int32_t num_id() const { return num_id_; }
  const Tokenizer& base() const { return *base_; }
  const XvalOptions& options() const { return options_; }

  int32_t vocab_size() const override { return base_->vocab_size(); }
  absl::StatusOr<std::string> IdToPiece(int32_t id) const override { return base_->IdToPiece(id); }
  absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const override {
    return base_->PieceToId(piece);
  }
  int32_t bos_id() const override { return base_->bos_id(); }
  int32_t eos_id() const override { return base_->eos_id(); }
  int32_t unk_id() const override { return base_->unk_id(); }
  const std::vector<AddedToken>& added_tokens() const override { return base_->added_tokens(); }
  absl::Status AddTokens(absl::Span<const AddedToken> tokens) override {
    return base_->AddTokens(tokens);
  }

 private:
  friend class text::XvalStreamDecoder;  // prints numbers as DecodeWithValues does
  XvalTokenizer(std::unique_ptr<Tokenizer> base, XvalOptions options);
  struct Number;  // a number found in a text and its stored value (xval_encode.cc)
  absl::Status Collect(absl::string_view text, std::vector<Number>* numbers) const;
  absl::Status EncodeStandard(absl::string_view text, const EncodeOptions& options,
                              uint32_t base, Encoding* out) const;
  absl::Status EncodePaper(absl::string_view text, const EncodeOptions& options, uint32_t base,
                           Encoding* out) const;
  // The stored value of a number's text, or why it stays text / is an error. `exact_range`
  // refuses what only saturation would store (Decode must not print 70000 for 65504).
  enum class ValueKind { kValue, kText, kError };
  ValueKind StoredValue(absl::string_view number, absl::string_view field, float* value,
                        bool exact_range = false) const;
  // The text of a stored value (shortest decimal that re-encodes to it).
  std::string FormatValue(float value, absl::string_view field, bool force_exponent) const;
  absl::StatusOr<std::string> DecodeImpl(absl::Span<const int32_t> ids,
                                         absl::Span<const float> values, const Encoding* source_enc,
                                         absl::string_view source) const;

  std::unique_ptr<Tokenizer> base_;
  XvalOptions options_;
  std::unique_ptr<text::NumberScanner> scanner_;
  int32_t num_id_ = -1;
};

// Loads a base tokenizer as LoadTokenizer does, and also a Hugging Face tokenizer.json whose
// BPE model is empty and whose tokens are all added tokens (the xVal paper's tokenizer.json):
// text that is no added token then has no tokens, as Hugging Face drops it.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadBaseTokenizer(const std::string& path,
                                                             const TokenizerOptions& options = {});

// The same from a file's bytes, as LoadTokenizerFromMemory.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadBaseTokenizerFromMemory(
    absl::string_view data, const std::string& name, const TokenizerOptions& options = {});
// LoadBaseTokenizer, then XvalTokenizer::Create.
absl::StatusOr<std::unique_ptr<XvalTokenizer>> LoadXvalTokenizer(
    const std::string& path, const TokenizerOptions& tokenizer_options,
    const XvalOptions& xval_options);

}  // namespace xval

#endif  // XVAL_XVAL_TOKENIZER_H_
