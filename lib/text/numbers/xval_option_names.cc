// XvalOptions from the names the xval command and the Python package use (xval_tokenizer.h).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "xval/xval_tokenizer.h"

namespace xval {

absl::StatusOr<XvalOptions> ParseXvalOptions(const XvalOptionNames& names) {
  XvalOptions o;
  if (names.mode == "paper") {
    o = XvalOptions::Paper();
  } else if (names.mode != "standard") {
    return absl::InvalidArgumentError(
        absl::StrCat("number_mode: \"", names.mode, "\" (standard or paper)"));
  }
  auto transform = ValueTransform::Parse(names.transform);
  if (!transform.ok()) return transform.status();  // "transform: ..." already
  o.transform = *std::move(transform);
  for (absl::string_view opt : absl::StrSplit(names.number_options, ',', absl::SkipEmpty())) {
    NumberGrammar& g = o.numbers.grammar;
    if (names.mode == "paper") {
      return absl::InvalidArgumentError("number_options: standard mode only");
    }
    if (opt == "plus") {
      g.plus_sign = true;
    } else if (opt == "leading_dot") {
      g.leading_dot = true;
    } else if (opt == "trailing_dot") {
      g.trailing_dot = true;
    } else if (opt == "groups") {
      g.group_separators = true;
    } else if (opt == "unicode") {
      g.unicode_digits = true;
    } else if (opt == "binary_minus") {
      g.binary_minus_as_sign = true;
    } else if (opt == "no_exponent") {
      g.exponent = false;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("number_options: unknown \"", opt, "\""));
    }
  }
  if (names.out_of_range == "text") {
    o.out_of_range = OutOfRangePolicy::kText;
  } else if (names.out_of_range == "error") {
    o.out_of_range = OutOfRangePolicy::kError;
  } else if (names.out_of_range == "saturate") {
    o.out_of_range = OutOfRangePolicy::kSaturate;
  } else if (!names.out_of_range.empty()) {
    return absl::InvalidArgumentError("out_of_range: text, error or saturate");
  }
  if (names.max_digits < 0) return absl::InvalidArgumentError("max_digits: must be >= 0");
  o.max_significant_digits = names.max_digits;
  if (names.precision == "float32") {
    o.precision = ValuePrecision::kFloat32;
  } else if (names.precision == "float16") {
    o.precision = ValuePrecision::kFloat16;
  } else if (!names.precision.empty()) {
    return absl::InvalidArgumentError("precision: float32 or float16");
  }
  return o;
}

}  // namespace xval
