#!/usr/bin/env python3
"""Issue 18's new pipelines beside Hugging Face `tokenizers`, one run, one machine, one thread:
MB/s on the whole corpus for tokenizer.json files of the GGUF families (built by transformers'
GGUF-to-tokenizer converter, as tests/python/test_hf_tokenizer_json.py builds them), each
encoded by `tokenizers` (encode_batch, RAYON_NUM_THREADS=1, add_special_tokens=False) and by
xval (benchmarks/tokenizer_files_bench, Google Benchmark, ids only). The ratio is xval / HF.

Usage: XVAL_DATA_DIR=../shared/data python3 benchmarks/compare_tokenizer_files.py \
           [BENCH_BINARY] [FAMILY...]
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers starts its pool
os.environ["TOKENIZERS_PARALLELISM"] = "false"

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tools"))
import bytelevel_common as common  # noqa: E402
from tokenizer_json_shapes import write_tokenizer_json  # noqa: E402

FAMILIES = ["aquila", "baichuan", "command-r", "deepseek-coder", "deepseek-llm", "falcon",
            "gpt-2", "gpt-neox", "llama-bpe", "llama-spm", "mpt", "phi-3", "qwen2", "qwen35",
            "refact", "starcoder",
            # Read by the general pipeline of stages (lib/text/hf): Gemma 4's character BPE,
            # nomic-bert-moe's Unigram, and Qwen2 / Command-R with the NFC normalizer their
            # published files have ("+nfc").
            "gemma-4", "nomic-bert-moe", "qwen2+nfc", "command-r+nfc", "bert-bge",
            # DeepSeek's published pre-tokenizers (Sequences of Splits) over its vocabularies.
            "deepseek-llm+published", "deepseek-coder+published", "deepseek-llm+v3"]


def main() -> None:
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        HERE, "..", "build", "release", "benchmarks", "tokenizer_files_bench")
    families = sys.argv[2:] or FAMILIES
    from tokenizers import Tokenizer
    strings = [s for f in common.corpus_files() for s in common.corpus_strings(f)]
    nbytes = sum(len(s.encode()) for s in strings)
    tmp = tempfile.mkdtemp()
    paths = {}
    for family in families:
        paths[family] = os.path.join(tmp, f"{family}.json")
        write_tokenizer_json(family, pathlib.Path(paths[family]))
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_min_time=1s"],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "XVAL_DATA_DIR": common.data_dir(),
                              "XVAL_NUM_THREADS": "1",
                              "XVAL_BENCH_FILES": ",".join(paths.values())}).stdout
    ours = {b["name"].replace("/real_time", ""): b["bytes_per_second"] / 1e6
            for b in json.loads(out)["benchmarks"]}
    print(f"{len(strings)} strings, {nbytes} bytes; one thread; MB/s")
    print(f"{'family':16} {'tokenizers':>11} {'xval':>8} {'ratio':>7}")
    for family, path in paths.items():
        tok = Tokenizer.from_file(path)
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            tok.encode_batch(strings, add_special_tokens=False)
            best = min(best, time.perf_counter() - t0)
        hf = nbytes / best / 1e6
        print(f"{family:16} {hf:11.1f} {ours[path]:8.1f} {ours[path] / hf:6.1f}x")


if __name__ == "__main__":
    main()
