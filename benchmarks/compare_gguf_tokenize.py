#!/usr/bin/env python3
"""xval against llama.cpp on llama.cpp's own GGUF vocabularies: the whole corpus
(tests/tools/xval_corpus_lines.py, one text per line) tokenized by each, one thread, as whole
commands (`llama_tokenize_lines`, libllama built by tests/tools/build_llama_tokenize.sh, versus
`xval tokenize`), both loading the vocabulary and writing ids. Checks that every line's ids are
equal, then prints the seconds of each (best of 3) and the ratio.

Usage: python3 benchmarks/compare_gguf_tokenize.py LLAMA_TOKENIZE_LINES [XVAL_CLI] [FAMILY...]
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.environ.get("XVAL_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
FAMILIES = ["aquila", "baichuan", "bert-bge", "command-r", "deepseek-coder", "deepseek-llm",
            "falcon", "gemma-4", "gpt-2", "gpt-neox", "llama-bpe", "llama-spm", "mpt",
            "nomic-bert-moe", "phi-3", "qwen2", "qwen35", "refact", "starcoder"]


def best_of(n, cmd, stdin_path, env):
    best, out = None, None
    for _ in range(n):
        with open(stdin_path, "rb") as f:
            t = time.perf_counter()
            out = subprocess.run(cmd, stdin=f, capture_output=True, check=True, env=env).stdout
            dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, out


def main():
    llama = sys.argv[1]
    cli = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "release", "bindings",
                                                              "cli", "xval")
    families = sys.argv[3:] or FAMILIES
    env = dict(os.environ, XVAL_NUM_THREADS="1", OMP_NUM_THREADS="1")
    text = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tools",
                                                        "xval_corpus_lines.py"), DATA],
                          capture_output=True, check=True).stdout
    tmp = tempfile.mkdtemp()
    plain, hexed = os.path.join(tmp, "corpus.txt"), os.path.join(tmp, "corpus.hex")
    with open(plain, "wb") as f:
        f.write(text)
    with open(hexed, "w") as f:
        f.writelines(line.hex() + "\n" for line in text.split(b"\n")[:-1])
    print(f"{len(text.split(chr(10).encode())) - 1} lines, {len(text)} bytes; one thread; best of 3")
    print(f"{'family':16} {'llama.cpp s':>12} {'xval s':>8} {'ratio':>7}")
    for family in families:
        vocab = os.path.join(DATA, "tokenizers", "gguf", f"ggml-vocab-{family}.gguf")
        t_ref, ref = best_of(3, [llama, vocab, "0", "1"], hexed, env)
        t_xval, ours = best_of(3, [cli, "tokenize", "--tokenizer", vocab], plain, env)
        if ref != ours:
            sys.exit(f"{family}: ids differ from llama.cpp's")
        print(f"{family:16} {t_ref:12.2f} {t_xval:8.2f} {t_ref / t_xval:6.1f}x")


if __name__ == "__main__":
    main()
