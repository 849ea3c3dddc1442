#!/usr/bin/env python3
"""Writes SentencePiece golden files in the style of llama.cpp's tests/test-tokenizer-0.

NAME.inp holds the test strings separated by "\\n__ggml_vocab_test__\\n" (raw bytes, so invalid
UTF-8 survives); NAME.out has one line per string, each id preceded by a space, as
sentencepiece (the reference) encodes it without BOS.

It also writes OUT_PREFIX_added.{inp,out}: strings with added tokens ([NUM], <s>, </s>), as
Hugging Face `tokenizers` encodes them with the Llama tokenizer.json made by
make_llama_tokenizer_json.py and "[NUM]" added as a special token (add_special_tokens=False).

usage: make_spm_golden.py MODEL TOKENIZER_JSON OUT_PREFIX
"""
import sys

import sentencepiece as spm

SEPARATOR = b"\n__ggml_vocab_test__\n"

CASES = [
    "",
    " ", "  ", "   ", "\t", "\n", "\n\n", " \n", "\t\n ",
    "Hello world", " Hello world", "Hello world ", "  Hello  world  ", "Hello\tworld",
    "Hello\nworld", "Hello\r\nworld",
] + ["3" * n for n in range(1, 11)] + [
    "1,234.5", "-0.5e-3", "x = -12.75 + 3e8", "1 000 000", "3.14159265358979",
    "\u0661\u0662\u0663 \u0664\u0665",           # Arabic-Indic digits
    "\uff11\uff12\uff13\uff14",                  # full-width digits
    "abc123def", "x2 + y2", "H2O", "v1.2.3", "2nd 3rd 4th",
    "ied 4 \u00bd months", "\u2165-a",
    "\U0001F600 emoji \U0001F680\U0001F44D\U0001F3FD",  # needs byte fallback
    "\u263a\ufe0f", "\u00e9 e\u0301 n\u0303",          # precomposed and combining marks
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # right-to-left text
    "\u4e2d\u6587 123 \u6570\u5b66",
    "\x00\x01\x07\x1b[0m\x7f", "a\u200bb\u200d\u2028c",
    "\u2581 already escaped \u2581\u2581",
    "\\frac{1}{2} + \\sqrt{x^2}", "$$\\int_0^1 x\\,dx$$",
    "<s> </s> <unk> [NUM]",
]
INVALID_UTF8 = [
    b"\xff", b"a\xffb", b"\xc3", b"\xc3(", b"\xe2\x82", b"\xed\xa0\x80 surrogate",
    b"\xf0\x9f\x98", b"\xc0\xaf overlong", b"\xf4\x90\x80\x80 too large", b"\x80\x80 trail",
]


ADDED_CASES = [
    "[NUM]", "cost [NUM] each", "cost[NUM]each", "[NUM] [NUM]", "[NUM][NUM]", "  [NUM]  ",
    "<s>hello</s>", "<s> hello", "a <s>", "x = [NUM] + [NUM] = [NUM].", "[NUM", "NUM]", "[[NUM]]",
    "\n[NUM]\n", "\u00e9[NUM]\U0001F600",
]


def write(prefix, inputs, encode):
    with open(prefix + ".inp", "wb") as f:
        f.write(SEPARATOR.join(inputs))
    with open(prefix + ".out", "w") as f:
        for text in inputs:
            f.write("".join(f" {i}" for i in encode(text)) + "\n")


def main(model, tokenizer_json, prefix):
    sp = spm.SentencePieceProcessor(model_file=model)
    write(prefix, [c.encode("utf-8") for c in CASES] + INVALID_UTF8, sp.encode)

    from tokenizers import AddedToken, Tokenizer
    tok = Tokenizer.from_file(tokenizer_json)
    tok.add_special_tokens([AddedToken("[NUM]", normalized=False, special=True)])
    assert tok.token_to_id("[NUM]") == sp.get_piece_size()
    write(prefix + "_added", [c.encode("utf-8") for c in ADDED_CASES],
          lambda b: tok.encode(b.decode("utf-8"), add_special_tokens=False).ids)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
