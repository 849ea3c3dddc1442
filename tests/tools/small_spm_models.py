#!/usr/bin/env python3
"""Small SentencePiece models trained on the math corpus with the sentencepiece package, fuzzing
seeds (scripts/fuzz.sh) for the .model reader: BPE with byte fallback (Llama's settings) and
without, and a Unigram model.

    small_spm_models.py DATA_DIR OUT_DIR
"""
import io
import json
import pathlib
import sys

import sentencepiece as spm


def sentences(data_dir, limit=3000):
    out = []
    with open(data_dir / "corpus" / "gsm8k_test.jsonl", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["question"])
            if len(out) >= limit:
                break
    return out


def main():
    data_dir, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    text = sentences(data_dir)
    for name, args in {
        "bpe_byte_fallback": dict(model_type="bpe", vocab_size=400, byte_fallback=True,
                                  split_digits=True),
        "bpe_plain": dict(model_type="bpe", vocab_size=200),
        "unigram": dict(model_type="unigram", vocab_size=200),
    }.items():
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(text), model_writer=model,
                                       minloglevel=2, normalization_rule_name="identity", **args)
        (out_dir / f"{name}.model").write_bytes(model.getvalue())


if __name__ == "__main__":
    main()
