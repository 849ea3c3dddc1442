#!/usr/bin/env python3
"""Checks the speeds `xval bench` reports against a separate timing of the same library calls:
each call below is timed here with its own code (a fresh process per engine, pinned to the same
cores, corpus read by json, best of 5 after one warm-up), then compared with the MB/s in a
results.json that `xval bench` wrote in the same session on the same corpus.

  python3 benchmarks/bench_crosscheck.py docs/bench/results.json [--threads 1]

Prints each engine's MB/s here and in the report, and their ratio (agreement within 15 % is
what docs/bench/README.md records).
"""
import json
import os
import subprocess
import sys
import time

DATA = os.environ.get("XVAL_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                    "shared", "data"))
LLAMA = os.path.join(DATA, "tokenizers", "llama2")
TIKTOKEN = os.path.join(DATA, "tokenizers", "tiktoken", "cl100k_base.tiktoken")

# (engine, tokenizer as the report names it)
CASES = [("xval", "llama2"), ("sentencepiece", "llama2"), ("tokenizers", "llama2-json"),
         ("fastokens", "llama2-json"), ("xval", "cl100k_base"), ("tiktoken", "cl100k_base"),
         ("gigatoken", "cl100k_base"), ("fastokens", "cl100k_base")]


def documents():
    """Every JSONL record of the corpus folder as one document: its strings joined by
    newlines (what xval bench reads by default)."""
    def strings(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for x in v.values():
                yield from strings(x)
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)
    folder = os.path.join(DATA, "corpus")
    docs = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    parts = list(strings(json.loads(line)))
                    if parts:
                        docs.append("\n".join(parts))
    return docs


def call(engine, tokenizer, threads):
    """The library call, as its users make it."""
    if engine == "xval":
        import xval
        tok = (xval.Tokenizer.tiktoken("cl100k_base", data_dir=DATA) if tokenizer == "cl100k_base"
               else xval.Tokenizer.from_file(os.path.join(LLAMA, "tokenizer.model")))
        return lambda d: tok.encode_batch_flat(d, ids_only=True, parse_special=False,
                                               threads=threads)
    if engine == "sentencepiece":
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=os.path.join(LLAMA, "tokenizer.model"))
        return lambda d: sp.encode(d, num_threads=threads)
    if engine == "tokenizers":
        import tokenizers
        tok = tokenizers.Tokenizer.from_file(os.path.join(LLAMA, "tokenizer.json"))
        return lambda d: tok.encode_batch(d, add_special_tokens=False)
    if engine == "fastokens":
        import fastokens
        tok = (fastokens.Tokenizer.from_tiktoken(TIKTOKEN, encoding="cl100k_base")
               if tokenizer == "cl100k_base"
               else fastokens.Tokenizer.from_file(os.path.join(LLAMA, "tokenizer.json")))
        return lambda d: tok.encode_batch_flat(d)
    if engine == "gigatoken":
        import gigatoken
        tok = gigatoken.Tokenizer.from_tiktoken(TIKTOKEN)
        return lambda d: tok.encode_batch_list(d)
    if engine == "tiktoken":
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))
        from conftest import tiktoken_encoding
        enc = tiktoken_encoding("cl100k_base")
        return lambda d: enc.encode_ordinary_batch(d, num_threads=threads)
    raise ValueError(engine)


def one(engine, tokenizer, threads):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])
    os.environ["RAYON_NUM_THREADS"] = str(threads)
    docs = documents()
    size = sum(len(d.encode("utf-8")) for d in docs)
    fn = call(engine, tokenizer, threads)
    fn(docs)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        fn(docs)
        best = min(best, time.perf_counter() - start)
    print(size / best / 1e6)


def main():
    if sys.argv[1] == "--one":
        one(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    results = json.load(open(sys.argv[1]))
    threads = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--threads" else 1
    reported = {(r["engine"], r["tokenizer"]): r["speed"].get(str(threads), {}).get("mb_per_s")
                for r in results["subjects"]}
    print(f"| engine | tokenizer | here MB/s | xval bench MB/s | bench / here |\n"
          f"| --- | --- | ---: | ---: | ---: |")
    for engine, tokenizer in CASES:
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, __file__, "--one", engine, tokenizer,
                              str(threads)], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            print(f"| {engine} | {tokenizer} | error: {out.stderr.strip().splitlines()[-1]} | | |")
            continue
        here = float(out.stdout.strip().splitlines()[-1])
        bench = reported.get((engine, tokenizer))
        ratio = f"{bench / here:.2f}" if bench else "–"
        print(f"| {engine} | {tokenizer} | {here:.1f} | {bench or 0:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
