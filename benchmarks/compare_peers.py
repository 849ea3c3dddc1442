#!/usr/bin/env python3
"""xval beside the fastest exact tokenizers, one run, one machine (issue 22's table).

For each vocabulary (cl100k, o200k, Llama 2 SentencePiece, Llama 3 and Qwen2 from llama.cpp's
GGUF vocabularies), each engine that reads it (xval, gigatoken, fastokens, tiktoken, Hugging
Face tokenizers, sentencepiece, from PyPI at the versions of requirements-bench.txt), each input
(the corpus as a batch of lines, and as one text joined with newlines) and each core count (1
and 2): a fresh process pinned with `taskset` loads the tokenizer, encodes once (cold: that
first call), then three more times (warm: the best of them), and reports peak RSS; this is done
in --processes fresh processes (3 by default) and the best cold and warm figures count (a
first call's time varies much more from process to process than later calls'). The processes
run in rounds, every engine and cell once per round, so that a cell's processes lie minutes
apart and a slow spell of a shared machine does not fall on all of them. An engine with
several calls for the same work has each timed in its own fresh processes, so that every cold
figure is a process's first call. Every engine's ids are checked against the vocabulary's
reference implementation (tiktoken, sentencepiece, tokenizers) document by document before any
figure counts; an engine whose ids differ is shown as such and not ranked.

One text: each engine's fastest call for a single document (gigatoken and fastokens have two,
`encode` and a batch of one that they split across threads: both are timed, the faster
counts); xval's is encode_batch_flat([text], ids_only=True, threads=cores). The batch: each
engine's batch call as xval.bench times it (gigatoken's encode_batch_list, and its awkward-array
encode_batch too: the faster counts).

quicktok (PyPI 0.2.0) is pinned too but reads none of these vocabularies: its BasicTokenizer
loads only its own model files (format "quicktok v1", written by its train()), so it has no
cell.

Usage: XVAL_DATA_DIR=../shared/data python3 benchmarks/compare_peers.py [--json OUT.json]
           [--vocab NAME ...] [--cores 1 2] [--repeats 3] [--processes 3]
Also prints the pre-tokenizer alone (build/release/benchmarks/bytelevel_bench, one core).
"""
import argparse
import hashlib
import json
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

# vocabulary -> (reference engine, {engine: source}); sources are resolved in main().
VOCABS = {
    "cl100k": ("tiktoken", {"xval": "tiktoken:cl100k_base", "tiktoken": "tiktoken:cl100k_base",
                            "gigatoken": "tiktoken:cl100k_base",
                            "fastokens": "tiktoken:cl100k_base"}),
    "o200k": ("tiktoken", {"xval": "tiktoken:o200k_base", "tiktoken": "tiktoken:o200k_base",
                           "gigatoken": "tiktoken:o200k_base",
                           "fastokens": "tiktoken:o200k_base"}),
    "llama2": ("sentencepiece", {"xval": "llama2/tokenizer.model",
                                 "sentencepiece": "llama2/tokenizer.model",
                                 "gigatoken": "llama2/tokenizer.model",
                                 "tokenizers": "llama2/tokenizer.json",
                                 "fastokens": "llama2/tokenizer.json"}),
    "llama3": ("tokenizers", {e: "gguf:llama-bpe" for e in
                              ("xval", "tokenizers", "gigatoken", "fastokens")}),
    "qwen2": ("tokenizers", {e: "gguf:qwen2" for e in
                             ("xval", "tokenizers", "gigatoken", "fastokens")}),
}
PEER_VERSIONS = ("gigatoken", "fastokens", "tiktoken", "tokenizers", "sentencepiece", "quicktok")


def data_dir():
    return os.environ.get("XVAL_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))


def corpus_texts():
    import bytelevel_common as common
    return [s for f in common.corpus_files() for s in common.corpus_strings(f)]


def resolve(source, tmp):
    """A VOCABS source -> the path of the file the engines read."""
    kind, _, name = source.partition(":")
    if kind == "tiktoken":
        return os.path.join(data_dir(), "tokenizers", "tiktoken", f"{name}.tiktoken")
    if kind == "gguf":  # the tokenizer.json transformers' GGUF converter builds, read by all
        from tokenizer_json_shapes import write_tokenizer_json
        path = pathlib.Path(tmp) / name / "tokenizer.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_tokenizer_json(name, path)
        return str(path)
    return os.path.join(data_dir(), "tokenizers", source)


# --- the worker: one engine, one input, one core count, in a fresh pinned process ----------


def one_text_calls(engine, opened, threads):
    """The ways `engine` encodes one document: {name: (fn(text), result -> ids)}; only fn is
    timed."""
    same = lambda r: r  # noqa: E731
    if engine == "xval":
        tok = opened.tok
        return {"encode_batch_flat([text], ids_only)": (lambda t: tok.encode_batch_flat(
            [t], ids_only=True, parse_special=opened.parse_special, threads=threads),
            lambda r: r[0])}
    if engine == "gigatoken":
        tok = opened.tok
        return {"encode": (tok.encode, same),
                "encode_batch_list([text])": (lambda t: tok.encode_batch_list([t]),
                                              lambda r: r[0])}
    if engine == "fastokens":
        tok = opened.tok
        single = tok.encode_ordinary if opened.tiktoken else tok.encode
        return {"encode_ordinary" if opened.tiktoken else "encode": (single, lambda r: r.ids),
                "encode_batch_flat([text])": (lambda t: tok.encode_batch_flat([t]),
                                              lambda r: r[0])}
    if engine == "tiktoken":
        return {"encode_ordinary": (opened.enc.encode_ordinary, same)}
    if engine == "tokenizers":
        return {"encode": (lambda t: opened.tok.encode(t, add_special_tokens=False),
                           lambda r: r.ids)}
    if engine == "sentencepiece":
        return {"encode": (opened.sp.encode, same)}
    raise ValueError(engine)


def worker(job):
    from xval.bench.subjects import Subject
    from xval.bench.worker import _peak_rss_bytes as peak_rss_bytes  # VmHWM, as xval bench
    import numpy as np
    with open(job["corpus"], "rb") as f:
        texts = pickle.load(f)
    if job["input"] == "one":
        texts = ["\n".join(texts)]
    subject = Subject(job["engine"], job["source"], {}, job["vocab"], data_dir())
    start = time.perf_counter()
    opened = subject.open(job["threads"])
    opened.tiktoken = subject.format == "tiktoken"
    load_s = time.perf_counter() - start
    if job["input"] == "batch":
        calls = {"batch": (lambda t: opened.encode(texts), opened.flat)}
        if job["engine"] == "gigatoken":  # its flat batch (an awkward Array) beside the lists
            calls["encode_batch"] = (lambda t: opened.tok.encode_batch(texts), _awkward_flat)
    else:
        calls = one_text_calls(job["engine"], opened, job["threads"])
    # One call per process: its first run is the process's first encode (cold), whatever call
    # another process ran before.
    num_calls = len(calls)
    name = list(calls)[job.get("call_index", 0)]
    calls = {name: calls[name]}
    timings, ids = {}, None
    for name, (fn, to_ids) in calls.items():
        call = lambda: fn(texts[0])  # noqa: E731
        start = time.perf_counter()
        out = call()
        cold = time.perf_counter() - start
        warm = min(_timed(call) for _ in range(job["repeats"]))
        timings[name] = {"cold_s": cold, "warm_s": warm}
        got = to_ids(out)
        if job["input"] == "batch":
            got, splits = got
        else:
            got = (np.frombuffer(got, dtype="<u4") if isinstance(got, bytes)
                   else np.asarray(got, dtype=np.uint32))
            splits = np.array([0, len(got)], dtype=np.int64)
        if ids is not None and not np.array_equal(got, ids):
            raise RuntimeError(f"{name} gives other ids than {next(iter(timings))}")
        ids = got
    data = ids.astype("<u4", copy=False)
    best = min(timings, key=lambda k: timings[k]["warm_s"])
    return {"load_s": load_s, "calls": timings, "call": best, "num_calls": num_calls,
            "cold_s": min(t["cold_s"] for t in timings.values()),
            "warm_s": timings[best]["warm_s"], "tokens": int(splits[-1]),
            "peak_rss_bytes": peak_rss_bytes(),
            "hashes": [hashlib.blake2b(data[splits[i]:splits[i + 1]].tobytes(),
                                       digest_size=8).hexdigest()
                       for i in range(len(splits) - 1)]}


def _awkward_flat(rows):
    import awkward as ak
    import numpy as np
    splits = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(ak.num(rows).to_numpy(), out=splits[1:])
    return ak.flatten(rows).to_numpy().astype(np.uint32), splits


def _timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# --- the driver ----------------------------------------------------------------------------


def run_rounds(jobs, tmp, processes):
    """Each job's calls, each in `processes` fresh processes of its own (run_call), in rounds:
    every job once per round, so that a job's processes lie minutes apart and a slow spell of
    the machine (a shared VM's speed moves by tens of percent over seconds) falls on one of
    them, not on all of a cell's. Returns one list of runs per job."""
    runs = [[] for _ in jobs]
    for round_index in range(processes):
        for job, job_runs in zip(jobs, runs):
            if job_runs and "error" in job_runs[-1]:
                continue
            k = 0  # each of its calls in a process of its own
            while True:
                run = run_call(dict(job, call_index=k), tmp)
                job_runs.append(run)
                k += 1
                if "error" in run or k >= run["num_calls"]:
                    break
        print(f"round {round_index + 1} of {processes} done", flush=True)
    return runs


def combine(runs):
    """A job's runs as one result: the figures of the run fastest warm, the cold figure of the
    fastest first call, the ids of every run equal."""
    first = runs[0]
    if "error" in first:
        return first
    for r in runs[1:]:
        if "error" in r:
            return r
        if r["hashes"] != first["hashes"]:
            return {"error": f"{r['call']} gives other ids than {first['call']}"}
    best = min(runs, key=lambda r: r["warm_s"])
    calls = {}
    for r in runs:
        for name, t in r["calls"].items():
            c = calls.setdefault(name, dict(t))
            c["cold_s"], c["warm_s"] = min(c["cold_s"], t["cold_s"]), min(c["warm_s"], t["warm_s"])
    # Peak memory: the highest of the processes that ran the call whose figures count.
    return dict(best, calls=calls, cold_s=min(r["cold_s"] for r in runs),
                peak_rss_bytes=max(r["peak_rss_bytes"] for r in runs if r["call"] == best["call"]))


def run_call(job, tmp):
    path = os.path.join(tmp, "job.json")
    with open(path, "w") as f:
        json.dump(job, f)
    cores = ",".join(str(c) for c in sorted(os.sched_getaffinity(0))[:job["threads"]])
    env = dict(os.environ, RAYON_NUM_THREADS=str(job["threads"]),
               XVAL_NUM_THREADS=str(job["threads"]), OMP_NUM_THREADS=str(job["threads"]),
               FASTOKENS_BPE_THREADS=str(job["threads"]), TOKENIZERS_PARALLELISM="true")
    done = subprocess.run(["taskset", "-c", cores, sys.executable, os.path.abspath(__file__),
                           "--worker", path], capture_output=True, text=True, env=env)
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": (done.stderr.strip().splitlines() or ["the worker died"])[-1]}
    return json.loads(done.stdout)


def installed(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None


def pretokenizer_speed():
    binary = os.path.join(ROOT, "build", "release", "benchmarks", "bytelevel_bench")
    if not os.path.exists(binary):
        return {}
    core = str(sorted(os.sched_getaffinity(0))[0])
    out = subprocess.run(["taskset", "-c", core, binary, "--benchmark_format=json",
                          "--benchmark_filter=PreTokenize/(scanner|stretches|targets)",
                          "--benchmark_min_time=1s"],
                         capture_output=True, text=True, env=dict(os.environ,
                                                                  XVAL_DATA_DIR=data_dir()))
    if out.returncode != 0:
        return {}
    # "scanner/<vocab>": per line of the corpus; "scanner_one_text/<vocab>": the corpus as one
    # text; "stretches/<vocab>": one text a stretch of 32 KiB at a time, as the tokenizer runs
    # it; "targets/<target>/<vocab>": one text on each Highway target this machine runs.
    return {b["name"].split("/", 1)[1]: b["bytes_per_second"] / 1e6
            for b in json.loads(out.stdout)["benchmarks"]}


def cpu_model():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--json")
    parser.add_argument("--vocab", nargs="*", default=list(VOCABS))
    parser.add_argument("--cores", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--inputs", nargs="*", default=["batch", "one"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        with open(args.worker) as f:
            job = json.load(f)
        try:
            out = worker(job)
        except Exception as e:  # the engine's error is its cell, the run goes on
            out = {"error": f"{type(e).__name__}: {e}"}
        json.dump(out, sys.stdout)
        return
    if shutil.which("taskset") is None:
        sys.exit("taskset (util-linux) is needed to pin each engine to its cores")
    cores = [c for c in args.cores if c <= len(os.sched_getaffinity(0))]
    from importlib import metadata
    versions = {p: metadata.version(p) for p in PEER_VERSIONS + ("xval",) if installed(p)}
    texts = corpus_texts()
    nbytes = sum(len(t.encode()) for t in texts)
    results = {"machine": cpu_model(), "date": time.strftime("%Y-%m-%d"), "bytes": nbytes,
               "documents": len(texts), "versions": versions, "cells": [],
               "pretokenizer_mb_per_s": pretokenizer_speed()}
    print(f"{results['machine']}, {len(texts)} lines, {nbytes / 1e6:.2f} MB; "
          f"{', '.join(f'{k} {v}' for k, v in versions.items())}", flush=True)
    if "quicktok" in versions:
        print("quicktok: no cell (its BasicTokenizer loads only its own \"quicktok v1\" model files, "
              "written by its train(); none of these vocabularies is one)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.pickle")
        with open(corpus, "wb") as f:
            pickle.dump(texts, f)
        cells, jobs = [], []  # a job: (its cell, its engine, what run_call runs)
        for vocab in args.vocab:
            _, sources = VOCABS[vocab]
            for input_kind in args.inputs:
                for n in cores:
                    cell = {"vocab": vocab, "input": input_kind, "cores": n, "engines": {}}
                    cells.append(cell)
                    for engine, source in sources.items():
                        if engine != "xval" and not installed(engine):
                            continue
                        if engine in ("tiktoken", "sentencepiece", "tokenizers") and n > 1 \
                                and input_kind == "one":
                            continue  # their one-text call is serial: the 1-core figure
                        jobs.append((cell, engine, {
                            "engine": engine, "source": resolve(source, tmp), "vocab": vocab,
                            "input": input_kind, "threads": n, "repeats": args.repeats,
                            "corpus": corpus}))
        runs = run_rounds([job for _, _, job in jobs], tmp, args.processes)
        for (cell, engine, _), job_runs in zip(jobs, runs):
            cell["engines"][engine] = combine(job_runs)
        for cell in cells:
            vocab, input_kind = cell["vocab"], cell["input"]
            reference = VOCABS[vocab][0]
            ref = cell["engines"].get(reference)
            if ref is None or "error" in ref:  # 2-core one text: the 1-core reference
                ref = next((c["engines"].get(reference) for c in results["cells"]
                            if c["vocab"] == vocab and c["input"] == input_kind
                            and c["engines"].get(reference, {}).get("hashes")), None)
            for engine, r in cell["engines"].items():
                if "error" not in r:
                    r["mb_per_s"] = nbytes / r["warm_s"] / 1e6
                    r["cold_mb_per_s"] = nbytes / r["cold_s"] / 1e6
                    r["exact"] = ref is not None and r["hashes"] == ref["hashes"]
            results["cells"].append(cell)
            print(format_cell(cell), flush=True)
    for cell in results["cells"]:
        for r in cell["engines"].values():
            r.pop("hashes", None)
    print()
    print(table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def format_cell(cell):
    parts = []
    for engine, r in cell["engines"].items():
        if "error" in r:
            parts.append(f"{engine} error ({r['error'][:60]})")
        else:
            parts.append(f"{engine} {r['mb_per_s']:.1f} (cold {r['cold_mb_per_s']:.1f})"
                         f"{'' if r['exact'] else ' IDS DIFFER'}")
    return f"{cell['vocab']:7} {cell['input']:5} {cell['cores']}: " + "; ".join(parts)


def table(results):
    lines = ["| vocabulary | input | cores | xval MB/s warm (cold) | fastest exact peer warm "
             "(cold) | xval / peer warm | cold | xval / peer peak RSS |",
             "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |"]
    for cell in results["cells"]:
        ours = cell["engines"].get("xval", {})
        peers = {e: r for e, r in cell["engines"].items()
                 if e != "xval" and "error" not in r and r["exact"]}
        if "error" in ours or not ours:
            lines.append(f"| {cell['vocab']} | {cell['input']} | {cell['cores']} | error | | | |")
            continue
        if not peers:
            continue
        best = max(peers, key=lambda e: peers[e]["mb_per_s"])
        best_cold = max(peers, key=lambda e: peers[e]["cold_mb_per_s"])
        p = peers[best]
        lines.append(
            f"| {cell['vocab']} | {cell['input']} | {cell['cores']} | {ours['mb_per_s']:.1f} "
            f"({ours['cold_mb_per_s']:.1f}){'' if ours['exact'] else ' IDS DIFFER'} | {best} "
            f"{p['mb_per_s']:.1f} ({best_cold} {peers[best_cold]['cold_mb_per_s']:.1f}) | "
            f"{ours['mb_per_s'] / p['mb_per_s']:.2f} | "
            f"{ours['cold_mb_per_s'] / peers[best_cold]['cold_mb_per_s']:.2f} | "
            f"{ours['peak_rss_bytes'] / p['peak_rss_bytes']:.2f} |")
    pre = results.get("pretokenizer_mb_per_s", {})
    if pre:
        lines.append("")
        lines.append("Pre-tokenizer alone, one core (bytelevel_bench PreTokenize/scanner per "
                     "line, scanner_one_text, stretches of 32 KiB, targets/<Highway target>): " +
                     ", ".join(f"{k} {v:.0f} MB/s" for k, v in pre.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
