#!/usr/bin/env python3
"""Small SentencePiece models for the Unigram and character-map conformance tests
(tests/text/unigram_conformance_test.cc compares xval with libsentencepiece on them), trained
with the sentencepiece package on the math corpus and committed in tests/golden/unigram/:

- unigram_nfkc: UNIGRAM with sentencepiece's default normalizer, nmt_nfkc (a precompiled
  character map), as T5 and XLM-R are;
- unigram_bytes: UNIGRAM with byte fallback, user-defined pieces, split digits, the identity
  normalizer and extra whitespace kept;
- bpe_nfkc: BPE with the nmt_nfkc character map.

Usage: python3 tests/tools/make_unigram_models.py [DATA_DIR]
"""
import io
import json
import os
import pathlib
import sys

import sentencepiece as spm

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "golden" / "unigram"


def sentences(data_dir, limit=4000):
    out = []
    with open(data_dir / "corpus" / "gsm8k_train.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            out.append(record["question"])
            out.extend(record["answer"].split("\n"))
            if len(out) >= limit:
                break
    return out


def main():
    data_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                            os.environ.get("XVAL_DATA_DIR", HERE.parents[2] / "shared" / "data"))
    text = sentences(data_dir)
    models = {
        "unigram_nfkc": dict(model_type="unigram", vocab_size=1500),
        "unigram_bytes": dict(model_type="unigram", vocab_size=1200, byte_fallback=True,
                              user_defined_symbols=["[NUM]", "<mask>", "=="], split_digits=True,
                              normalization_rule_name="identity",
                              remove_extra_whitespaces=False),
        "bpe_nfkc": dict(model_type="bpe", vocab_size=1000),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, args in models.items():
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(text), model_writer=model,
                                       minloglevel=2, num_threads=1, **args)
        (OUT / f"{name}.model").write_bytes(model.getvalue())
        print(f"{name}.model: {len(model.getvalue())} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
