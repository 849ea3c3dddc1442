// GPT-2's byte alphabet, for the ByteLevel pre-tokenizer and decoder.
#ifndef XVAL_TEXT_HF_BYTE_ALPHABET_H_
#define XVAL_TEXT_HF_BYTE_ALPHABET_H_

#include <array>
#include <string>

#include "util/utf8.h"

namespace xval::text::hf {

// The UTF-8 of the character that stands for each byte.
const std::array<std::string, 256>& ByteAlphabet();

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_BYTE_ALPHABET_H_
