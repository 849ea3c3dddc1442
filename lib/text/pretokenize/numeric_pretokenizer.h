// Hugging Face's Digits pre-tokenizer as a PreTokenizer stage.
#ifndef XVAL_TEXT_PRETOKENIZE_NUMERIC_PRETOKENIZER_H_
#define XVAL_TEXT_PRETOKENIZE_NUMERIC_PRETOKENIZER_H_

#include <memory>

#include "text/pretokenize/pretokenizer.h"

namespace xval::text {

// individual_digits: each numeric character is a piece; else each run of them.
std::unique_ptr<PreTokenizer> MakeNumericPreTokenizer(bool individual_digits);

}  // namespace xval::text

#endif  // XVAL_TEXT_PRETOKENIZE_NUMERIC_PRETOKENIZER_H_
