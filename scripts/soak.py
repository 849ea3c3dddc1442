#!/usr/bin/env python3
"""Soak test (issue 16): 4 Python threads in this process and 2 more processes encode the whole
corpus PASSES times each, through every entry point in turn (encode_batch_flat, the same with
ids_only, encode_batch, encode text by text, decode_batch of the serial ids), on one shared
tokenizer per process, comparing every result with the serial one computed first. Resident
memory is sampled every half second in each process: "flat" means the median sample of the
second half of the run stays within 10 % of the median of the first half (which holds the
first passes, whose allocations later passes reuse), so memory that keeps growing fails while
the swings of four threads in different entry points at once (whose peaks depend on which
calls overlap) do not; the largest samples of each half are printed too. Prints a table; exits 1
on any difference or on memory that keeps growing.

    python3 scripts/soak.py [--passes 200] [--tokenizer llama|cl100k|llama_xval] [--threads 4]
                            [--processes 2] [--data ../shared/data]
"""
import argparse
import json
import multiprocessing as mp
import os
import pathlib
import statistics
import threading
import time

import numpy as np

import xval

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENTRY_POINTS = ["encode_batch_flat", "encode_batch_flat_ids_only", "encode_batch", "encode",
                "decode_batch"]


def corpus(data):
    lines = []
    for f in sorted((data / "corpus").glob("*.jsonl")):
        for record in f.read_text(encoding="utf-8").splitlines():
            if not record.strip():
                continue
            stack = [json.loads(record)]
            while stack:
                v = stack.pop(0)
                if isinstance(v, str):
                    lines.extend(v.split("\n"))
                elif isinstance(v, list):
                    stack[0:0] = v
                elif isinstance(v, dict):
                    stack[0:0] = list(v.values())
    return lines


def make_tokenizer(name, data):
    if name == "cl100k":
        return xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(data / "tokenizers" / "tiktoken"))
    path = str(data / "tokenizers" / "llama2" / "tokenizer.model")
    return xval.Tokenizer.from_file(path, numbers="xval" if name == "llama_xval" else "none")


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Reference:
    """The serial results every pass is compared with."""

    def __init__(self, tok, texts):
        self.flat = tok.encode_batch_flat(texts)
        self.ids = [self.flat[0][self.flat[3][i]:self.flat[3][i + 1]].tolist()
                    for i in range(len(texts))]
        self.decoded = [tok.decode(ids) for ids in self.ids]


def one_pass(tok, texts, ref, entry):
    """One encode of the whole corpus through one entry point; True when equal to serial."""
    if entry == "encode_batch_flat":
        out = tok.encode_batch_flat(texts)
        return all(np.array_equal(a, b) for a, b in zip(out, ref.flat))
    if entry == "encode_batch_flat_ids_only":
        ids, _, _, splits = tok.encode_batch_flat(texts, ids_only=True)
        return np.array_equal(ids, ref.flat[0]) and np.array_equal(splits, ref.flat[3])
    if entry == "encode_batch":
        return [e.ids.tolist() for e in tok.encode_batch(texts)] == ref.ids
    if entry == "encode":
        return all(tok.encode(t).ids.tolist() == ids for t, ids in zip(texts, ref.ids))
    return tok.decode_batch(ref.ids) == ref.decoded


def worker(tok, texts, ref, passes, offset, stats, lock):
    calls = wrong = 0
    for p in range(passes):
        entry = ENTRY_POINTS[(p + offset) % len(ENTRY_POINTS)]
        if not one_pass(tok, texts, ref, entry):
            wrong += 1
        calls += 1
    with lock:
        stats.append({"calls": calls, "wrong": wrong})


def sample_rss(samples, done):
    """Appends (seconds, RSS MB) every half second until `done` is set."""
    start = time.time()
    while not done.wait(0.5):
        samples.append((time.time() - start, rss_mb()))


def run_process(name, data, passes, threads, label, queue=None):
    texts = corpus(data)
    tok = make_tokenizer(name, data)
    ref = Reference(tok, texts)
    rss_start = rss_mb()
    stats, lock = [], threading.Lock()
    samples, done = [], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(samples, done))
    sampler.start()
    start = time.time()
    pool = [threading.Thread(target=worker, args=(tok, texts, ref, passes, k, stats, lock))
            for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    done.set()
    sampler.join()
    half = (time.time() - start) / 2
    first = [r for t, r in samples if t <= half] or [rss_start]
    second = [r for t, r in samples if t > half] or first
    result = {
        "who": label, "threads": threads, "passes": passes * threads,
        "wrong": sum(s["wrong"] for s in stats), "seconds": round(time.time() - start, 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_first_half_max_mb": round(max(first), 1),
        "rss_second_half_max_mb": round(max(second), 1),
        "rss_first_half_median_mb": round(statistics.median(first), 1),
        "rss_second_half_median_mb": round(statistics.median(second), 1),
        "rss_end_mb": round(rss_mb(), 1), "texts": len(texts),
    }
    if queue is not None:
        queue.put(result)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passes", type=int, default=200)
    ap.add_argument("--tokenizer", default="llama", choices=["llama", "cl100k", "llama_xval"])
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=run_process,
                         args=(args.tokenizer, data, args.passes, 1, f"process {i + 1}", queue))
             for i in range(args.processes)]
    start = time.time()
    for p in procs:
        p.start()
    results = [run_process(args.tokenizer, data, args.passes, args.threads,
                           f"main, {args.threads} threads")]
    results += [queue.get() for _ in procs]
    for p in procs:
        p.join()
    print(f"soak: {args.tokenizer}, {results[0]['texts']} corpus texts a pass, entry points in "
          f"turn: {', '.join(ENTRY_POINTS)}; wall {time.time() - start:.0f} s")
    print("| who | passes | wrong | seconds | RSS start MB | RSS median, 1st half / 2nd half MB | "
          "RSS largest, 1st half / 2nd half MB | RSS end MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['who']} | {r['passes']} | {r['wrong']} | {r['seconds']} | "
              f"{r['rss_start_mb']} | {r['rss_first_half_median_mb']} / "
              f"{r['rss_second_half_median_mb']} | {r['rss_first_half_max_mb']} / "
              f"{r['rss_second_half_max_mb']} | {r['rss_end_mb']} |")
    bad = sum(r["wrong"] for r in results)
    growing = [r["who"] for r in results
               if r["rss_second_half_median_mb"] > 1.1 * r["rss_first_half_median_mb"]]
    if bad or growing or any(p.exitcode != 0 for p in procs):
        print(f"soak: {bad} passes differed from the serial results; memory grew in: {growing}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
