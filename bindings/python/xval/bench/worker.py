"""One speed measurement in a fresh process, so that load time, the first (cold) call and peak
memory are the subject's own: `python -m xval.bench.worker JOB.json` prints a JSON result.

The process is pinned to `threads` cores first (thread pools size themselves to the cores they
may use: rayon's, xval's), then loads the corpus, the tokenizer (load time), encodes every
document once (cold), then `repeats` more times (warm: the best of them). What is timed is the
library's own batch call (Engine.encode); turning its result into arrays for the gate is not."""
import hashlib
import json
import os
import pickle
import resource
import sys
import time


def _pin(threads: int) -> None:
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, cores[:threads])
    for var in ("RAYON_NUM_THREADS", "XVAL_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ[var] = str(threads)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux carries the
    parent's peak into a child across fork and exec, so a large parent would set the floor."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(job: dict) -> dict:
    _pin(job["threads"])
    from xval.bench.subjects import Subject
    with open(job["corpus"], "rb") as f:
        texts = pickle.load(f)
    subject = Subject(**job["subject"])
    rss_before = _rss_bytes()
    start = time.perf_counter()
    opened = subject.open(job["threads"])
    load_s = time.perf_counter() - start
    encode = getattr(opened, "encode", None) or opened.encode_flat
    start = time.perf_counter()
    first = encode(texts)
    cold_s = time.perf_counter() - start
    warm_s = float("inf")
    for _ in range(job["repeats"]):
        start = time.perf_counter()
        encode(texts)
        warm_s = min(warm_s, time.perf_counter() - start)
    ids, splits = opened.flat(first) if hasattr(opened, "flat") else first
    result = {"load_s": load_s, "cold_s": cold_s, "warm_s": warm_s, "tokens": int(splits[-1]),
              "rss_before_load_bytes": rss_before,
              "peak_rss_bytes": _peak_rss_bytes()}
    if job.get("hashes"):
        data = ids.astype("<u4", copy=False)
        result["hashes"] = [
            hashlib.blake2b(data[splits[i]:splits[i + 1]].tobytes(), digest_size=8).hexdigest()
            for i in range(len(splits) - 1)]
    return result


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        job = json.load(f)
    try:
        out = run(job)
    except Exception as e:  # reported as the subject's error, the run goes on
        out = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)
