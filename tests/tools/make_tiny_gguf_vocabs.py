#!/usr/bin/env python3
"""Tiny GGUF vocabularies, one per tokenizer.ggml.model xval reads (llama, gpt2, t5, bert,
gemma4): the seeds of the gguf_vocab_fuzz target (tests/fuzz/regressions/gguf_vocab_fuzz/),
small so that libFuzzer mutates them fast, and replayed by ctest.

Usage: python3 tests/tools/make_tiny_gguf_vocabs.py   (needs: pip install gguf)
"""
import pathlib

import gguf

OUT = pathlib.Path(__file__).resolve().parents[1] / "fuzz" / "regressions" / "gguf_vocab_fuzz"
WORDS = ["the", "a", "of", "12", "3", "is", "x", "=", "+", "cat"]
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, BYTE = 1, 2, 3, 4, 6


def byte_level_alphabet():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for _, c in sorted(zip(bs, cs))]


def write(name, model, tokens, types, scores=None, merges=None, pre=None, extra=None):
    w = gguf.GGUFWriter(str(OUT / f"{name}.gguf"), arch="llama")
    w.add_tokenizer_model(model)
    if pre:
        w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types(types)
    if scores is not None:
        w.add_token_scores(scores)
    if merges:
        w.add_token_merges(merges)
    for key, value in (extra or {}).items():
        getattr(w, key)(value)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # llama: <unk> <s> </s>, 256 byte pieces, words with scores.
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [UNKNOWN, CONTROL, CONTROL] + [BYTE] * 256
    tokens += ["\u2581" + w for w in WORDS] + list("thecaof")
    types += [NORMAL] * (len(WORDS) + 7)
    write("llama", "llama", tokens, types, [0.0] * 259 + [-float(i) for i in range(len(WORDS) + 7)],
          extra=dict(add_bos_token_id=1, add_eos_token_id=2))
    # gpt2: the byte-level alphabet, merges building " the" and "12".
    alphabet = byte_level_alphabet()
    merges = ["\u0120 t", "h e", "\u0120t he", "1 2"]
    tokens = alphabet + ["\u0120t", "he", "\u0120the", "12", "<|endoftext|>"]
    write("gpt2", "gpt2", tokens, [NORMAL] * (len(tokens) - 1) + [CONTROL], merges=merges,
          pre="llama-bpe", extra=dict(add_eos_token_id=len(tokens) - 1))
    # t5: Unigram pieces with log probabilities.
    tokens = ["<pad>", "</s>", "<unk>"] + ["\u2581" + w for w in WORDS] + list("thecaof12")
    types = [CONTROL, CONTROL, UNKNOWN] + [NORMAL] * (len(tokens) - 3)
    write("t5", "t5", tokens, types, [0.0, 0.0, 0.0] + [-1.0 - i for i in range(len(tokens) - 3)],
          extra=dict(add_unk_token_id=2, add_eos_token_id=1))
    # bert: WordPiece with llama.cpp's "▁" word starts.
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + ["\u2581" + w for w in WORDS] + \
        list("thecaof12")
    types = [CONTROL] * 5 + [NORMAL] * (len(tokens) - 5)
    types[1] = UNKNOWN
    write("bert", "bert", tokens, types,
          extra=dict(add_unk_token_id=1, add_bos_token_id=2, add_sep_token_id=3))
    # gemma4: characters, <0xXX> bytes, merges over raw UTF-8.
    tokens = ["<pad>", "<eos>", "<bos>", "<unk>"] + [f"<0x{b:02X}>" for b in range(256)] + \
        list("the\u2581ca12") + ["th", "the", "\u2581the", "\n\n"]
    types = [CONTROL, CONTROL, CONTROL, UNKNOWN] + [BYTE] * 256 + [NORMAL] * 12
    write("gemma4", "gemma4", tokens, types, [0.0] * len(tokens),
          merges=["t h", "th e", "\u2581 the"], extra=dict(add_bos_token_id=2, add_eos_token_id=1))
    for f in sorted(OUT.glob("*.gguf")):
        print(f, f.stat().st_size)


if __name__ == "__main__":
    main()
