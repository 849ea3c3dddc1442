// A number found by XvalTokenizer and what it becomes; shared by its encode and decode files.
#ifndef XVAL_TEXT_NUMBERS_XVAL_NUMBER_H_
#define XVAL_TEXT_NUMBERS_XVAL_NUMBER_H_

#include "xval/xval_tokenizer.h"

namespace xval {

struct XvalTokenizer::Number {
  NumberSpan span;  // bytes of the scanned text
  ValueKind kind = ValueKind::kText;
  float value = 0;  // when kind == kValue
};

}  // namespace xval

#endif  // XVAL_TEXT_NUMBERS_XVAL_NUMBER_H_
