#!/usr/bin/env python3
"""The Python package's batch encoder on the whole corpus beside the peers, at the same thread
count (all cores), in one run:

  cl100k_base: xval encode_batch (list of Encodings), encode_batch_flat (one ragged batch) and
               encode_batch_flat(ids_only=True) (ids + row splits, as quicktok returns)
               vs tiktoken encode_ordinary_batch and quicktok encode_batch (flat arrays);
  Llama 2:     xval vs Hugging Face tokenizers encode_batch, on the same tokenizer.json.

  python3 benchmarks/compare_python.py      (after pip install .; XVAL_DATA_DIR optional)

Best of 3 passes each, MB/s of UTF-8 input.
"""
import os
import sys
import time

THREADS = os.cpu_count()
os.environ.setdefault("RAYON_NUM_THREADS", str(THREADS))  # tokenizers' thread pool
os.environ.setdefault("XVAL_NUM_THREADS", str(THREADS))

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))
import quicktok  # noqa: E402
import tokenizers  # noqa: E402
import tiktoken  # noqa: E402

import xval  # noqa: E402
from conftest import DATA, ROOT, corpus_lines, tiktoken_encoding  # noqa: E402


def best_mbps(fn, nbytes, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return nbytes / best / 1e6


def main():
    texts = corpus_lines()
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    rows = []

    ours = xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(DATA))
    tik = tiktoken_encoding("cl100k_base")
    qt = quicktok.get_encoding("cl100k_base")
    assert [e.ids.tolist() for e in ours.encode_batch(texts[:500])] == \
        tik.encode_ordinary_batch(texts[:500])
    rows += [
        ("cl100k_base", "xval encode_batch (Encodings)", best_mbps(lambda: ours.encode_batch(texts), nbytes)),
        ("cl100k_base", "xval encode_batch_flat", best_mbps(lambda: ours.encode_batch_flat(texts), nbytes)),
        # ids and row splits only: what quicktok's encode_batch and tiktoken's batch return.
        ("cl100k_base", "xval encode_batch_flat(ids_only=True)",
         best_mbps(lambda: ours.encode_batch_flat(texts, ids_only=True), nbytes)),
        ("cl100k_base", "tiktoken encode_ordinary_batch",
         best_mbps(lambda: tik.encode_ordinary_batch(texts, num_threads=THREADS), nbytes)),
        ("cl100k_base", "quicktok encode_batch",
         best_mbps(lambda: qt.encode_batch(texts, threads=THREADS), nbytes)),
    ]

    path = str(ROOT / "tests" / "golden" / "llama2_tokenizer.json")
    ours_llama = xval.Tokenizer.from_file(path)
    hf = tokenizers.Tokenizer.from_file(path)
    rows += [
        ("llama2", "xval encode_batch (Encodings)", best_mbps(lambda: ours_llama.encode_batch(texts), nbytes)),
        ("llama2", "xval encode_batch_flat", best_mbps(lambda: ours_llama.encode_batch_flat(texts), nbytes)),
        ("llama2", "tokenizers encode_batch",
         best_mbps(lambda: hf.encode_batch(texts, add_special_tokens=False), nbytes)),
    ]

    print(f"corpus: {len(texts)} texts, {nbytes / 1e6:.1f} MB; {THREADS} threads; "
          f"tiktoken {tiktoken.__version__}, tokenizers {tokenizers.__version__}, "
          f"quicktok {quicktok.__version__}")
    print("| vocabulary | encoder | MB/s |\n| --- | --- | ---: |")
    for vocab, name, mbps in rows:
        print(f"| {vocab} | {name} | {mbps:.1f} |")
    get = {(v, n): m for v, n, m in rows}
    best_ours = max(get[("cl100k_base", "xval encode_batch (Encodings)")],
                    get[("cl100k_base", "xval encode_batch_flat")])
    print(f"\nxval / tiktoken (cl100k): {get[('cl100k_base', 'xval encode_batch (Encodings)')] / get[('cl100k_base', 'tiktoken encode_ordinary_batch')]:.1f}x (Encodings), "
          f"{best_ours / get[('cl100k_base', 'tiktoken encode_ordinary_batch')]:.1f}x (best)")
    print(f"xval flat / quicktok (cl100k): {get[('cl100k_base', 'xval encode_batch_flat')] / get[('cl100k_base', 'quicktok encode_batch')]:.2f}x")
    print(f"xval flat ids-only / quicktok encode_batch (cl100k, both ids + row offsets): "
          f"{get[('cl100k_base', 'xval encode_batch_flat(ids_only=True)')] / get[('cl100k_base', 'quicktok encode_batch')]:.2f}x")
    print(f"xval / tokenizers (llama2): {get[('llama2', 'xval encode_batch (Encodings)')] / get[('llama2', 'tokenizers encode_batch')]:.1f}x (Encodings), "
          f"{get[('llama2', 'xval encode_batch_flat')] / get[('llama2', 'tokenizers encode_batch')]:.1f}x (flat)")


if __name__ == "__main__":
    main()
