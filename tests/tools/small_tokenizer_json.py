#!/usr/bin/env python3
"""Small but real tokenizer.json files, fuzzing seeds (scripts/fuzz.sh) for the two BPE loaders:
the Llama 2 tokenizer.json cut to its first 400 pieces and the merges among them
(SentencePiece-style BPE), and a byte-level BPE over GPT-2's byte alphabet with a few merges.

    small_tokenizer_json.py DATA_DIR OUT_DIR
"""
import json
import pathlib
import sys


def small_llama(data_dir):
    full = json.loads((data_dir / "tokenizers" / "llama2" / "tokenizer.json").read_text())
    keep = {piece: i for piece, i in full["model"]["vocab"].items() if i < 400}
    merges = []
    for m in full["model"]["merges"]:
        a, b = m if isinstance(m, list) else m.split(" ", 1)
        if a in keep and b in keep and a + b in keep:
            merges.append([a, b])
    full["model"]["vocab"] = keep
    full["model"]["merges"] = merges
    return full


def byte_alphabet():
    direct = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    out, n = {}, 0
    for b in range(256):
        if b in direct:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + n)
            n += 1
    return out


def small_byte_level():
    alphabet = byte_alphabet()
    vocab = {alphabet[b]: b for b in range(256)}
    for piece in ["he", "ll", "hell", "hello", "Ġt", "Ġth", "Ġthe"]:
        vocab[piece] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return {
        "version": "1.0",
        "added_tokens": [{"id": vocab["<|endoftext|>"], "content": "<|endoftext|>",
                          "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "", "fuse_unk": False,
                  "byte_fallback": False, "vocab": vocab,
                  "merges": ["h e", "l l", "he ll", "hell o", "Ġ t", "Ġt h", "Ġth e"]},
    }


def main():
    data_dir, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    (out / "llama_small.json").write_text(json.dumps(small_llama(data_dir), ensure_ascii=False))
    (out / "byte_level_small.json").write_text(json.dumps(small_byte_level(), ensure_ascii=False))


if __name__ == "__main__":
    main()
