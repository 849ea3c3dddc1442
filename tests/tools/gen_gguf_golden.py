#!/usr/bin/env python3
"""Writes tests/golden/gguf/<family>.json: llama.cpp's own ids (libllama from the
llama-cpp-python 0.3.36 sdist, through tests/tools/llama_tokenize_lines) for every GGUF
vocabulary in ../shared/data/tokenizers/gguf/, on

- every corpus string (add_special and parse_special on, llama.cpp's defaults): a count, a
  hash and the ids of every 50th string per corpus file, as the byte-level goldens keep them;
- the seeded property strings (bytelevel_common.py; add_special off): a hash and the first 300;
- the edge list (edge_strings.json), whole, in three modes: add_special+parse_special,
  parse_special only, neither.

With --specials, writes tests/golden/gguf/special_ids.json instead: each vocabulary's special
ids as llama.cpp reports them (llama_vocab_bos, _eos, _eot, _sep, _nl, _pad; -1 for none).

gguf_tokenizer_test.cc checks all of it.

Usage: tests/tools/build_llama_tokenize.sh /tmp/llamacpp-ref
       python3 tests/tools/gen_gguf_golden.py /tmp/llamacpp-ref/llama_tokenize_lines [FAMILY...]
       python3 tests/tools/gen_gguf_golden.py --specials /tmp/llamacpp-ref/llama_tokenize_lines
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bytelevel_common as common  # noqa: E402

SAMPLE_EVERY = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "golden", "gguf")


def tokenize(tool, vocab, texts, add_special, parse_special):
    data = "".join(t.encode("utf-8").hex() + "\n" for t in texts)
    out = subprocess.run([tool, vocab, str(int(add_special)), str(int(parse_special))],
                         input=data, capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")[:-1]
    assert len(lines) == len(texts), (vocab, len(lines), len(texts))
    return [[int(x) for x in line.split()] for line in lines]


def write_special_ids(tool, gguf_dir):
    table = {}
    for file in sorted(os.listdir(gguf_dir)):
        family = file[len("ggml-vocab-"):-len(".gguf")]
        out = subprocess.run([tool, os.path.join(gguf_dir, file), "specials"],
                             capture_output=True, text=True, check=True).stdout.split()
        table[family] = {out[i]: int(out[i + 1]) for i in range(0, len(out), 2)}
    path = os.path.join(OUT_DIR, "special_ids.json")
    with open(path, "w") as f:
        json.dump({"reference": "llama.cpp (llama-cpp-python 0.3.36 sdist)", "ids": table}, f,
                  indent=1, sort_keys=True)
        f.write("\n")
    print(path, file=sys.stderr)


def main() -> None:
    gguf_dir = os.path.join(common.data_dir(), "tokenizers", "gguf")
    if sys.argv[1] == "--specials":
        write_special_ids(sys.argv[2], gguf_dir)
        return
    tool = sys.argv[1]
    only = set(sys.argv[2:])
    with open(os.path.join(OUT_DIR, "edge_strings.json"), encoding="utf-8") as f:
        edge = json.load(f)["strings"]
    corpus = {name: common.corpus_strings(name) for name in common.corpus_files()}
    prop = common.property_strings()
    for file in sorted(os.listdir(gguf_dir)):
        family = file[len("ggml-vocab-"):-len(".gguf")]
        if only and family not in only:
            continue
        vocab = os.path.join(gguf_dir, file)
        golden = {"reference": "llama.cpp (llama-cpp-python 0.3.36 sdist)", "file": file,
                  "sample_every": SAMPLE_EVERY, "corpus": {}}
        for name, strings in corpus.items():
            ids = tokenize(tool, vocab, strings, True, True)
            golden["corpus"][name] = {
                "strings": len(strings), "tokens": sum(len(x) for x in ids),
                "fnv1a": common.fnv1a_ids(ids),
                "sample": [ids[i] for i in range(0, len(strings), SAMPLE_EVERY)]}
        ids = tokenize(tool, vocab, prop, False, True)
        golden["property"] = {"seed": common.PROPERTY_SEED, "count": common.PROPERTY_COUNT,
                              "pool": common.POOL, "tokens": sum(len(x) for x in ids),
                              "fnv1a": common.fnv1a_ids(ids), "sample": ids[:300]}
        golden["edge"] = {
            "special_parse": tokenize(tool, vocab, edge, True, True),
            "parse": tokenize(tool, vocab, edge, False, True),
            "plain": tokenize(tool, vocab, edge, False, False)}
        path = os.path.join(OUT_DIR, f"{family}.json")
        with open(path, "w") as f:
            json.dump(golden, f, separators=(",", ":"))
            f.write("\n")
        print(f"{path}: {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
