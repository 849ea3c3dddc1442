"""xval.bench: tokenizers side by side on a corpus: correctness against the reference
implementations, speed beside the peers installed in this Python, compression, and how each
tokenizer cuts numbers. `xval bench` (and `python -m xval.bench`) run it from the command line.

    import xval.bench
    results = xval.bench.run(["../shared/data/corpus"],
                             ["../shared/data/tokenizers/llama2/tokenizer.model",
                              "../shared/data/tokenizers/llama2/tokenizer.model,digits=individual",
                              "cl100k_base"], out_dir="bench-report")

writes results.json and report.md into out_dir and returns the results (a dict).
"""
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Union

from . import compression as _compression
from . import gate as _gate
from . import numbers as _numbers
from .corpus import Document, load_corpus
from .subjects import Subject, parse_spec, peers_of, reference_of

NUMBER_OPTIONS = ("numbers", "number_mode", "transform", "number_options", "out_of_range",
                  "max_digits", "precision")

__all__ = ["run", "load_corpus", "Document", "Subject", "parse_spec"]


class Progress:
    """One line on stderr: redrawn in place on a terminal, one line per step otherwise."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.done, self.quiet = total, 0, quiet
        self.tty = sys.stderr.isatty()
        self.start = time.perf_counter()

    def step(self, what: str) -> None:
        self.done += 1
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.start
        line = f"[{self.done}/{self.total}] {elapsed:6.1f}s {what}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line[:150])
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions(engines: Sequence[str]) -> Dict[str, str]:
    from importlib import metadata
    out = {}
    for e in sorted(set(engines)):
        try:
            out[e] = metadata.version(e)
        except metadata.PackageNotFoundError:
            out[e] = "?"
    return out


def _speed(subject: Subject, corpus_file: str, threads: int, repeats: int, hashes: bool) -> Dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"subject": subject.to_json(), "corpus": corpus_file, "threads": threads,
                   "repeats": repeats, "hashes": hashes}, f)
        job = f.name
    try:
        done = subprocess.run([sys.executable, "-m", "xval.bench.worker", job],
                              capture_output=True, text=True)
    finally:
        os.unlink(job)
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": (done.stderr.strip().splitlines() or ["the worker died"])[-1]}
    return json.loads(done.stdout)


def _subjects(specs: Sequence[Union[str, Subject]], peers: Union[str, Sequence[str]],
              data_dir: str) -> List[Subject]:
    subjects = []
    for spec in specs:
        s = spec if isinstance(spec, Subject) else parse_spec(spec, data_dir)
        subjects.append(s)
        if peers != "none" and s.engine == "xval":
            for p in peers_of(s):
                if peers == "auto" or p.engine in peers:
                    if not any(q.engine == p.engine and q.source == p.source for q in subjects):
                        subjects.append(p)
    return subjects


def _xval_stats(subject: Subject, texts: List[str], kinds: List[str], quick: bool) -> Dict:
    tok = subject.open(0).tok
    ids, _, offsets, splits = tok.encode_batch_flat(texts)
    encode = _numbers.xval_encoder(tok)
    out = {"compression": _compression.compression(texts, kinds, ids, offsets, splits,
                                                   tok.vocab_size),
           "numbers": {
               "tokens_per_number": _numbers.tokens_per_number(encode, 20 if quick else 100),
               "segmentations": _numbers.segmentations(encode, 10_000 if quick else 100_000),
               "digits_per_token": _numbers.digits_per_token(texts, offsets, splits)}}
    if subject.options.get("numbers", "none") != "none":
        base = Subject("xval", subject.source,
                       {k: v for k, v in subject.options.items() if k not in NUMBER_OPTIONS},
                       subject.label, subject.data_dir).open(0).tok
        base_tokens = int(base.encode_batch_flat(texts, ids_only=True)[3][-1])
        survival = _numbers.xval_survival(tok, texts)
        survival.update(base_tokens=base_tokens, tokens=int(splits[-1]),
                        tokens_saved=base_tokens - int(splits[-1]))
        out["numbers"]["xval"] = survival
    return out


def run(corpus: Sequence[str], tokenizers: Sequence[Union[str, Subject]], out_dir: str = None,
        *, fields: Optional[Sequence[str]] = None, per_file: bool = False,
        column: Optional[str] = None, max_bytes: Optional[int] = None,
        peers: Union[str, Sequence[str]] = "auto", threads: Optional[Sequence[int]] = None,
        repeats: int = 3, speed: bool = True, quick: bool = False, data_dir: str = "",
        quiet: bool = False) -> Dict:
    """Benchmarks `tokenizers` (specs "PATH_OR_NAME[,key=value...]" or Subjects) on the
    documents of `corpus`, with the installed peers ("auto"), none ("none") or those named.
    threads: the core counts to time (default 1 and all). Writes results.json and report.md
    into out_dir when given. quick: smaller number samples (for tests)."""
    data_dir = data_dir or os.environ.get("XVAL_DATA_DIR", "")
    docs = corpus if corpus and isinstance(corpus[0], Document) else load_corpus(
        corpus, fields=fields, per_file=per_file, column=column, max_bytes=max_bytes)
    texts, kinds = [d.text for d in docs], [d.kind for d in docs]
    subjects = _subjects(tokenizers, peers, data_dir)
    cores = len(os.sched_getaffinity(0))
    threads = sorted(set(threads or [1, cores]))
    xval_subjects = [s for s in subjects if s.engine == "xval"]
    progress = Progress(len(subjects) * len(threads) * speed + len(xval_subjects), quiet)

    results = {"machine": {"cpu": _cpu_model(), "cores": cores, "python": platform.python_version(),
                           "date": time.strftime("%Y-%m-%d")},
               "corpus": {"documents": len(texts),
                          "bytes": sum(len(t.encode("utf-8")) for t in texts),
                          "kinds": sorted(set(kinds)), "sources": [str(c) for c in corpus]
                          if not isinstance(corpus[0], Document) else []},
               "versions": _versions([s.engine for s in subjects]),
               "threads": threads, "repeats": repeats, "subjects": []}
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = os.path.join(tmp, "corpus.pickle")
        with open(corpus_file, "wb") as f:
            pickle.dump(texts, f)
        rows = {}
        for s in subjects:
            row = {"engine": s.engine, "tokenizer": s.tokenizer, "name": s.name,
                   "source": s.source, "options": s.options, "speed": {}}
            hashes = None
            for n in threads if speed else []:
                r = _speed(s, corpus_file, n, repeats, hashes=n == threads[-1])
                hashes = r.pop("hashes", hashes)
                if "error" not in r:
                    r["mb_per_s"] = results["corpus"]["bytes"] / r["warm_s"] / 1e6
                    r["cold_mb_per_s"] = results["corpus"]["bytes"] / r["cold_s"] / 1e6
                    r["tokens_per_s"] = r["tokens"] / r["warm_s"]
                row["speed"][str(n)] = r
                progress.step(f"speed {s.name} on {n} core{'s' * (n > 1)}")
            row["_hashes"] = hashes
            rows[id(s)] = row
            results["subjects"].append(row)
    for s in subjects:  # the gate: every subject against its format's reference
        row, ref = rows[id(s)], reference_of(s)
        ref_row = next((rows[id(q)] for q in subjects if ref and q.engine == ref and
                        q.source == s.source and not q.options), None)
        if ref_row is None or row["_hashes"] is None or ref_row["_hashes"] is None:
            row["gate"] = None if ref is None else {"status": "not run"}
            continue
        row["gate"] = _gate.compare(row["_hashes"], ref_row["_hashes"])
        row["gate"]["reference"] = ref
        first = row["gate"]["first_document"]
        if first is not None:
            ours = s.open(1).encode_flat([texts[first]])[0].tolist()
            theirs = next(q for q in subjects if q.engine == ref and q.source == s.source and
                          not q.options).open(1).encode_flat([texts[first]])[0].tolist()
            row["gate"]["first_difference"] = _gate.first_difference(ours, theirs)
            row["gate"]["document_text"] = texts[first][:200]
    for row in results["subjects"]:
        row.pop("_hashes", None)
    for s in xval_subjects:
        rows[id(s)].update(_xval_stats(s, texts, kinds, quick))
        progress.step(f"compression and numbers of {s.tokenizer}")
    if out_dir:
        from . import report
        report.write(results, out_dir)
    return results
