// XvalTokenizer: construction, the value of each number (parse, transform, precision, policy),
// and finding the numbers of a text. Encoding is in xval_encode.cc, decoding in xval_decode.cc.
#include "xval/xval_tokenizer.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "text/numbers/json_fields.h"
#include "text/numbers/number_parse.h"
#include "text/numbers/number_scanner.h"
#include "text/numbers/xval_number.h"
#include "util/scratch.h"
#include "util/status_macros.h"

namespace xval {
namespace {

// Doubles from here up round to infinity as float (FLT_MAX plus half its last place).
constexpr double kFloat32Overflow = 3.4028235677973366e38;
constexpr float kFloat16Max = 65504.0f;

}  // namespace

XvalOptions XvalOptions::Paper() {
  XvalOptions o;
  o.numbers.mode = NumberMode::kPaper;
  o.precision = ValuePrecision::kFloat16;
  o.out_of_range = OutOfRangePolicy::kSaturate;
  return o;
}

XvalTokenizer::XvalTokenizer(std::unique_ptr<Tokenizer> base, XvalOptions options)
    : base_(std::move(base)),
      options_(std::move(options)),
      scanner_(std::make_unique<text::NumberScanner>(options_.numbers)) {}

XvalTokenizer::~XvalTokenizer() = default;

absl::StatusOr<std::unique_ptr<XvalTokenizer>> XvalTokenizer::Create(
    std::unique_ptr<Tokenizer> base, XvalOptions options) {
  if (base == nullptr) return absl::InvalidArgumentError("xVal: no base tokenizer");
  RETURN_IF_ERROR(text::ValidateScanOptions(options.numbers));
  if (options.num_token.empty()) return absl::InvalidArgumentError("xVal: empty [NUM] token");
  if (options.max_significant_digits < 0) {
    return absl::InvalidArgumentError("xVal: max_significant_digits must be >= 0");
  }
  if (!base->PieceToId(options.num_token).ok()) {
    AddedToken num{options.num_token, -1, /*special=*/true};
    RETURN_IF_ERROR(base->AddTokens({num}));
  }
  ASSIGN_OR_RETURN(const int32_t num_id, base->PieceToId(options.num_token));
  std::unique_ptr<XvalTokenizer> t(new XvalTokenizer(std::move(base), std::move(options)));
  t->num_id_ = num_id;
  t->SetSpecialTokens(t->base_->special_adds_bos(), t->base_->special_adds_eos());
  t->SetPadId(t->base_->pad_id());
  return t;
}

XvalTokenizer::ValueKind XvalTokenizer::StoredValue(absl::string_view number,
                                                    absl::string_view field, float* value,
                                                    bool exact_range) const {
  const bool f16 = options_.precision == ValuePrecision::kFloat16;
  const bool direct32 = options_.transform.identity() && !f16;  // one rounding, to float
  auto policy = [&] {
    return options_.out_of_range == OutOfRangePolicy::kError ? ValueKind::kError
                                                             : ValueKind::kText;
  };
  if (direct32) {
    // Most numbers: short, plain ASCII, in range; the same float as from_chars<float> below.
    float fast;
    int significant_digits = 0;
    const bool limit_digits = options_.max_significant_digits > 0 &&
                              options_.out_of_range != OutOfRangePolicy::kSaturate;
    if (text::ParseFloatFast(number, &fast, limit_digits ? &significant_digits : nullptr)) {
      if (limit_digits && significant_digits > options_.max_significant_digits) return policy();
      *value = fast;
      return ValueKind::kValue;
    }
  }
  absl::StatusOr<ParsedNumber> parsed = text::ParseNumberFor(number, !direct32, direct32);
  if (!parsed.ok()) return ValueKind::kText;  // never for the scanner's numbers
  if (options_.max_significant_digits > 0 &&
      parsed->significant_digits > options_.max_significant_digits &&
      options_.out_of_range != OutOfRangePolicy::kSaturate) {
    return policy();
  }
  const float max = f16 ? kFloat16Max : std::numeric_limits<float>::max();
  double y;
  float v;
  bool in_range;
  if (direct32) {
    // One rounding, decimal to float, as from_chars<float> does it.
    y = parsed->value32;
    v = parsed->value32;
    in_range = !parsed->overflow32;
  } else {
    y = options_.transform.Apply(parsed->value, field);
    if (std::isnan(y)) return policy();  // inf - inf in a transform; no value to saturate to
    if (f16) {
      v = RoundToFloat16(y);
      in_range = std::isfinite(v);
    } else {
      in_range = std::fabs(y) < kFloat32Overflow;
      v = in_range ? static_cast<float>(y) : 0.0f;
    }
  }
  if (!in_range) {
    if (exact_range) return ValueKind::kText;
    if (options_.out_of_range != OutOfRangePolicy::kSaturate) return policy();
    v = std::copysign(max, static_cast<float>(std::signbit(y) ? -1 : 1));
  }
  *value = v;
  return ValueKind::kValue;
}

absl::Status XvalTokenizer::Collect(absl::string_view text, std::vector<Number>* numbers) const {
  if (text.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("text of ", text.size(), " bytes: offsets are 32-bit"));
  }
  util::ThreadScratch<std::vector<NumberSpan>> spans_scratch;
  std::vector<NumberSpan>& spans = *spans_scratch;
  spans.clear();
  scanner_->Scan(text, 0, &spans);
  const bool fields = !options_.transform.field_scales.empty();
  // StoredValue's first path, taken here without the call for most numbers: no transform,
  // float32, no digit limit, and Clinger's fast path applies.
  const bool direct32 = options_.transform.identity() &&
                        options_.precision != ValuePrecision::kFloat16 &&
                        options_.max_significant_digits == 0;
  text::JsonFieldTracker tracker;
  size_t fed = 0;
  numbers->reserve(numbers->size() + spans.size());
  for (const NumberSpan& span : spans) {
    if (fields) {
      tracker.Feed(text.substr(fed, span.begin - fed));
      fed = span.begin;
    }
    Number n;
    n.span = span;
    const absl::string_view digits = text.substr(span.begin, span.end - span.begin);
    if (direct32 && text::ParseFloatFast(digits, &n.value, nullptr)) {
      n.kind = ValueKind::kValue;
      numbers->push_back(n);
      continue;
    }
    n.kind = StoredValue(digits, tracker.field(), &n.value);
    if (n.kind == ValueKind::kError) {
      return absl::InvalidArgumentError(absl::StrCat(
          "xVal: the number at byte ", span.begin, " (\"", digits.substr(0, 40),
          "\") is outside the stored precision's range or has more than ",
          options_.max_significant_digits, " significant digits"));
    }
    numbers->push_back(n);
  }
  return absl::OkStatus();
}

absl::Status XvalTokenizer::FindValues(absl::string_view text,
                                       std::vector<NumberValue>* out) const {
  std::vector<Number> numbers;
  if (options_.numbers.mode == NumberMode::kPaper) {
    // Numbers are found in the text without spaces; map them back to the original bytes.
    std::string compact;
    std::vector<uint32_t> to_text;
    text::DeleteSpaces(text, &compact, &to_text);
    RETURN_IF_ERROR(Collect(compact, &numbers));
    for (Number& n : numbers) {
      n.span = NumberSpan{to_text[n.span.begin], to_text[n.span.end - 1] + 1};
    }
  } else {
    RETURN_IF_ERROR(Collect(text, &numbers));
  }
  for (const Number& n : numbers) {
    out->push_back(NumberValue{n.span, n.value, n.kind == ValueKind::kValue});
  }
  return absl::OkStatus();
}

absl::Status XvalTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& requested,
                                       uint32_t base, Encoding* out) const {
  // Resolved here (the base tokenizer's rule, see Create): the text reaches it in pieces.
  const EncodeOptions options = ResolveSpecialTokens(requested);
  const size_t initial = out->size();
  absl::Status status = options_.numbers.mode == NumberMode::kPaper
                            ? EncodePaper(text, options, base, out)
                            : EncodeStandard(text, options, base, out);
  if (!status.ok()) {  // leave `out` as it was
    out->ids.resize(initial);
    out->values.resize(initial);
    out->offsets.resize(initial);
  }
  return status;
}

}  // namespace xval
