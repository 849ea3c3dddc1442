// Reversible rewrites of the numbers in a text, applied before tokenization and undone after
// decoding: Undo(Apply(x)) == x for every x, whatever it already contains.
//
// Numbers are those of the standard grammar (numbers.h, default options): digits inside words
// ("x12", "utf8") are left alone; only ASCII digits are rewritten.
//
//  - kReverseDigits: each run of digits of a number is reversed in place ("1234" -> "4321",
//    "-3.14" -> "-3.41", "1e10" -> "1e01"), as the reversed formats of Lee et al. (2023) and
//    Abacus (McLeish et al. 2024, --reverse_all) write integers, least significant digit first.
//    Reversing again undoes it.
//  - kRightToLeftGroups: a comma every three digits of a number's integer part, counted from the
//    right ("1234567" -> "1,234,567"), as Singh & Strouse (2024) enforce right-to-left
//    tokenization of GPT's 1-3 digit chunks. Commas already between two digits are doubled first
//    ("1,234" -> "1,,234"), so that Undo, which deletes single commas between digits and halves
//    longer runs, gives them back.
//  - kDigitCountPrefix: NumeroLogic (Schwartz et al. 2024), each number's mantissa written with
//    its digit counts before it: "42" -> "<sn>2<mn>42<en>", "3.14" -> "<sn>1.2<mn>3.14<en>"
//    (the paper's "{2:42}" with its special tokens <sn>, <mn>, <en>); a sign and an exponent stay
//    outside. Markers already in the text get one more backslash ("<sn>" -> "<\sn>"), which Undo
//    takes off again.
//
// Undo of a text that Apply did not make (a model's output): kReverseDigits always succeeds;
// the others fail with InvalidArgument naming the byte offset where the text cannot have come
// from Apply (an odd run of three or more commas between digits; a digit count that does not
// match its digits, or a marker out of order).
//
// Thread safety: free functions.
#ifndef XVAL_NUMBER_REWRITES_H_
#define XVAL_NUMBER_REWRITES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace xval {

enum class NumberRewrite {
  kNone,
  kReverseDigits,
  kRightToLeftGroups,
  kDigitCountPrefix,
};

// "none", "reverse", "rtl_commas" or "numerologic"; InvalidArgument otherwise.
absl::StatusOr<NumberRewrite> ParseNumberRewrite(absl::string_view name);
const char* NumberRewriteName(NumberRewrite rewrite);

// The text with its numbers rewritten. Texts of 4 GiB or more are an error.
absl::StatusOr<std::string> ApplyNumberRewrite(NumberRewrite rewrite, absl::string_view text);

// The text Apply was given, from what it returned.
absl::StatusOr<std::string> UndoNumberRewrite(NumberRewrite rewrite, absl::string_view text);

}  // namespace xval

#endif  // XVAL_NUMBER_REWRITES_H_
