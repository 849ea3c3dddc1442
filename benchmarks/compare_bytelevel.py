#!/usr/bin/env python3
"""One run, one machine: byte-level BPE MB/s on the whole corpus for cl100k_base and o200k_base,
ours (build/bytelevel/benchmarks/bytelevel_bench) beside tiktoken (encode_ordinary per string,
encode_ordinary_batch on one thread) and quicktok (encode per string, the corpus as one text),
and "ids-only batch, N threads / encode_ordinary 1 thread" (issue 3's all-core goal, ids only on
both sides).

Usage: XVAL_DATA_DIR=../shared/data python3 benchmarks/compare_bytelevel.py [BENCH_BINARY]
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import bytelevel_common as common  # noqa: E402


def best_mbps(fn, nbytes, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return nbytes / best / 1e6


def main() -> None:
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bytelevel/benchmarks/bytelevel_bench"
    strings = [s for f in common.corpus_files() for s in common.corpus_strings(f)]
    nbytes = sum(len(s.encode()) for s in strings)
    joined = "\n".join(strings)
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_min_time=1"],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "XVAL_DATA_DIR": common.data_dir()}).stdout
    ours = {b["name"].replace("/real_time", ""): b["bytes_per_second"] / 1e6
            for b in json.loads(out)["benchmarks"]}
    import quicktok
    import tiktoken
    rows = []
    for name in ["cl100k_base", "o200k_base"]:
        tik = common.load_encoding(name)
        qt = quicktok.get_encoding(name)
        peers = {
            "tiktoken encode_ordinary per string":
                best_mbps(lambda: [tik.encode_ordinary(s) for s in strings], nbytes),
            "tiktoken encode_ordinary_batch, 1 thread":
                best_mbps(lambda: tik.encode_ordinary_batch(strings, num_threads=1), nbytes),
            "quicktok encode per string": best_mbps(lambda: [qt.encode(s) for s in strings], nbytes),
            "quicktok corpus as one text":
                best_mbps(lambda: qt.encode(joined), len(joined.encode())),
        }
        for k, v in ours.items():
            if k.endswith(name):
                rows.append((name, "xval " + k.rsplit("/", 1)[0], v))
        for k, v in peers.items():
            rows.append((name, k, v))
        rows.append((name, "xval PreTokenize/memchr_read_limit (any encoding)",
                     ours["PreTokenize/memchr_read_limit"]))
        rows.append((name, "ratio: xval scanner / PCRE2 (same pattern)",
                     ours[f"PreTokenize/scanner/{name}"] / ours[f"PreTokenize/pcre2/{name}"]))
        base = peers["tiktoken encode_ordinary per string"]
        rows.append((name, "ratio: xval per string / tiktoken per string",
                     ours[f"EncodeOrdinary/per_string/{name}"] / base))
        rows.append((name, "ratio: xval per string / quicktok per string",
                     ours[f"EncodeOrdinary/per_string/{name}"] / peers["quicktok encode per string"]))
        rows.append((name, "ratio: xval one text / quicktok one text",
                     ours[f"EncodeOrdinary/one_text/{name}"] / peers["quicktok corpus as one text"]))
        rows.append((name, "ratio: xval EncodeBatch all cores / Encode one thread",
                     ours[f"EncodeBatch/all_cores/{name}"] / ours[f"Encode/one_thread/{name}"]))
        rows.append((name, "ratio: xval EncodeBatchFlat all cores / EncodeBatchFlat one thread",
                     ours[f"EncodeBatchFlat/all_cores/{name}"] /
                     ours[f"EncodeBatchFlat/one_thread/{name}"]))
        rows.append((name, "ratio: xval EncodeBatchFlat all cores / EncodeOrdinary one thread",
                     ours[f"EncodeBatchFlat/all_cores/{name}"] /
                     ours[f"EncodeOrdinary/per_string/{name}"]))
        # Issue 3's two-core goal, like with like: ids only on both sides.
        rows.append((name, "ratio: xval ids-only batch, 1 thread / encode_ordinary 1 thread",
                     ours[f"EncodeBatchFlatIds/one_thread/{name}"] /
                     ours[f"EncodeOrdinary/per_string/{name}"]))
        rows.append((name, f"ratio: xval ids-only batch, {os.cpu_count()} threads / "
                     "encode_ordinary 1 thread",
                     ours[f"EncodeBatchFlatIds/all_cores/{name}"] /
                     ours[f"EncodeOrdinary/per_string/{name}"]))
    print(f"corpus: {len(strings)} strings, {nbytes / 1e6:.2f} MB; tiktoken {tiktoken.__version__}, "
          f"quicktok {quicktok.__version__}, {os.cpu_count()} cores")
    print("| encoding | what | MB/s or ratio |\n| --- | --- | --- |")
    for enc, what, v in rows:
        print(f"| {enc} | {what} | {v:.2f} |")


if __name__ == "__main__":
    main()
