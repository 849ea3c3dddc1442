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


if __name__ == "__main__":
    main()
