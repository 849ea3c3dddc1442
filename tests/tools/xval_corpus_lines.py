#!/usr/bin/env python3
"""Prints the math corpus (../shared/data/corpus/*.jsonl) one text per line, as the tests'
corpus reader (tests/support/corpus.cc) reads it: every string of every record, nested ones
included, in document order, each line of a multi-line string on its own. For
`xval tokenize --stats` (docs/benchmarks-xval.md).

Usage: python3 tests/tools/xval_corpus_lines.py [DATA_DIR] > /tmp/corpus.txt
"""
import json
import math
import sys

FILES = ["gsm8k_train.jsonl", "gsm8k_test.jsonl", "ocw_test.jsonl", "minif2f_test.jsonl",
         "mmlu_stem_test.jsonl", "cmath_test.jsonl", "agieval_gaokao-mathqa.jsonl"]


def strings(value):
    if isinstance(value, str):
        yield from value.split("\n")
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    out = sys.stdout
    for name in FILES:
        with open(f"{data_dir}/corpus/{name}", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    for s in strings(json.loads(line, parse_constant=lambda c: math.nan)):
                        out.write(s + "\n")


if __name__ == "__main__":
    main()
