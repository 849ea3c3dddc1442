#!/usr/bin/env python3
"""Writes tests/golden/bytelevel/<encoding>.json: tiktoken's ids for every corpus string and
every property-test string, kept small as a hash and a token count per corpus file plus the ids
of a sample of strings (every 50th), which bytelevel_tiktoken_test.cc checks.

Usage: python3 tests/tools/gen_bytelevel_golden.py   (XVAL_DATA_DIR defaults to ../shared/data)
"""
import json
import os
import sys

import tiktoken

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bytelevel_common as common  # noqa: E402

SAMPLE_EVERY = 50


def main() -> None:
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "bytelevel")
    corpus = {name: common.corpus_strings(name) for name in common.corpus_files()}
    prop = common.property_strings()
    for enc_name in common.ENCODINGS:
        enc = common.load_encoding(enc_name)
        golden = {"tiktoken": tiktoken.__version__, "encoding": enc_name, "corpus": {},
                  "sample_every": SAMPLE_EVERY}
        for name, strings in corpus.items():
            ids = enc.encode_ordinary_batch(strings, num_threads=2)
            golden["corpus"][name] = {
                "strings": len(strings),
                "tokens": sum(len(x) for x in ids),
                "fnv1a": common.fnv1a_ids(ids),
                "sample": [ids[i] for i in range(0, len(strings), SAMPLE_EVERY)],
            }
        ids = [enc.encode_ordinary(s) for s in prop]
        golden["property"] = {"seed": common.PROPERTY_SEED, "count": common.PROPERTY_COUNT,
                              "pool": common.POOL, "tokens": sum(len(x) for x in ids),
                              "fnv1a": common.fnv1a_ids(ids), "sample": ids[:300]}
        path = os.path.join(out_dir, f"{enc_name}.json")
        with open(path, "w") as f:
            json.dump(golden, f, separators=(",", ":"))
            f.write("\n")
        print(f"{path}: {os.path.getsize(path)} bytes", file=sys.stderr)




def bytes_to_unicode() -> dict:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def gpt2_tokenizer_json():
    """GPT-2 as a Hugging Face tokenizer built from the tiktoken ranks, as transformers'
    TikTokenConverter does (bytelevel_tokenizer_test.cc builds the same file)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from tiktoken.load import load_tiktoken_bpe
    ranks = load_tiktoken_bpe(os.path.join(common.data_dir(), "tokenizers", "tiktoken",
                                           "gpt2.tiktoken"))
    b2u = bytes_to_unicode()
    alpha = lambda bs: "".join(b2u[b] for b in bs)  # noqa: E731

    def last_merge(token, max_rank):
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:
            best, at = None, 0
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < max_rank and (best is None or r < best):
                    best, at = r, i
            if best is None:
                break
            parts = parts[:at] + [parts[at] + parts[at + 1]] + parts[at + 2:]
        return parts

    vocab = {alpha(t): r for t, r in ranks.items()}
    merges = []
    for t, r in sorted(ranks.items(), key=lambda x: x[1]):
        if len(t) < 2:
            continue
        parts = last_merge(t, r)
        if len(parts) == 2:
            merges.append((alpha(parts[0]), alpha(parts[1])))
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<|endoftext|>"])
    return tok


def hf_golden() -> None:
    tok = gpt2_tokenizer_json()
    tik = common.load_encoding("gpt2")
    out = {}
    for name in common.corpus_files():
        strings = common.corpus_strings(name)
        ids = [e.ids for e in tok.encode_batch(strings, add_special_tokens=False)]
        out[name] = common.fnv1a_ids(ids)
        same = sum(a == b for a, b in zip(ids, tik.encode_ordinary_batch(strings)))
        print(f"{name}: tokenizers == tiktoken on {same}/{len(strings)}", file=sys.stderr)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "bytelevel",
                        "hf_gpt2.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
    hf_golden()
