"""`xval encode`: shards (read back with xval.data) hold, document by document, the ids and xVal
values of encoding each document alone; the output is the same for any thread count and any
memory setting; bad input is a clear error naming the file, line and field, or is skipped and
counted; memory stays bounded; a progress line on a terminal, a summary in a pipe."""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import xval
from xval.data import Dataset, Shard

from conftest import BUILD, DATA

CLI = str(BUILD / "bindings" / "cli" / "xval")
LLAMA = str(DATA / "tokenizers" / "llama2" / "tokenizer.model")
GSM8K = str(DATA / "corpus" / "gsm8k_test.jsonl")


def encode(*args, env=None):
    return subprocess.run([CLI, "encode", *args], capture_output=True, text=True, timeout=600,
                          env=env)


def _records(path, fields):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                yield "\n".join(record[k] for k in fields)


def test_jsonl_shards_equal_per_document_encode(tmp_path):
    out = encode("--tokenizer", LLAMA, "--input", GSM8K, "--field", "question,answer",
                 "--output", str(tmp_path), "--shard-tokens", "50000")
    assert out.returncode == 0, out.stderr
    assert "1319 documents" in out.stderr
    ds = Dataset(str(tmp_path))
    assert ds.complete and len(ds.shards) > 3 and ds.shards[0].ids.dtype.itemsize == 2
    texts = list(_records(GSM8K, ["question", "answer"]))
    tok = xval.Tokenizer.from_file(LLAMA)
    assert len(ds) == len(texts)
    for i, text in enumerate(texts):  # multi-line answers stay one document
        assert ds[i].tolist() == tok.encode(text).ids.tolist(), i
    assert ds.tokens == ds.manifest["tokens"] == sum(len(d) for d in ds)


def test_xval_values_and_32_bit_ids(tmp_path):
    texts = list(_records(GSM8K, ["answer"]))[:200]
    out = encode("--tokenizer", LLAMA, "--numbers", "xval", "--input", GSM8K, "--field",
                 "answer", "--output", str(tmp_path / "x"))
    assert out.returncode == 0, out.stderr
    ds = Dataset(str(tmp_path / "x"))
    tok = xval.Tokenizer.from_file(LLAMA, numbers="xval")
    for i, text in enumerate(texts):
        ids, values = ds.document(i)
        want = tok.encode(text)
        assert ids.tolist() == want.ids.tolist() and values.tolist() == want.values.tolist()
    cl100k = str(DATA / "tokenizers" / "tiktoken" / "cl100k_base.tiktoken")
    out = encode("--tokenizer", cl100k, "--input", GSM8K, "--field", "question", "--output",
                 str(tmp_path / "c"))
    assert out.returncode == 0, out.stderr
    ds = Dataset(str(tmp_path / "c"))
    assert ds.shards[0].ids.dtype.itemsize == 4 and ds.shards[0].values is None
    tok = xval.Tokenizer.from_file(cl100k)
    questions = list(_records(GSM8K, ["question"]))
    assert [ds[i].tolist() for i in range(0, len(ds), 97)] == [
        tok.encode(questions[i]).ids.tolist() for i in range(0, len(ds), 97)]


def _digest(folder):
    h = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        h.update(name.encode() + open(os.path.join(folder, name), "rb").read())
    return h.hexdigest()


def test_text_inputs_and_the_same_output_for_any_threads_and_memory(tmp_path):
    lines = [json.loads(l)["question"].replace("\n", " ") for l in open(GSM8K, encoding="utf-8")]
    corpus = tmp_path / "in"
    corpus.mkdir()
    for k in range(3):
        (corpus / f"part{k}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = []
    for threads, memory in (("1", "160"), ("2", "256"), ("2", "160")):
        env = dict(os.environ, XVAL_NUM_THREADS=threads)
        out = encode("--tokenizer", LLAMA, "--input", str(corpus), "--output",
                     str(tmp_path / f"o{threads}{memory}"), "--memory-mb", memory,
                     "--shard-tokens", "30000", env=env)
        assert out.returncode == 0, out.stderr
        runs.append(_digest(tmp_path / f"o{threads}{memory}"))
    assert runs[0] == runs[1] == runs[2]
    ds = Dataset(str(tmp_path / "o2256"))
    tok = xval.Tokenizer.from_file(LLAMA)
    assert len(ds) == 3 * len(lines)
    assert ds[len(lines) + 5].tolist() == tok.encode(lines[5]).ids.tolist()
    # --per-file: a file is one document.
    out = encode("--tokenizer", LLAMA, "--input", str(corpus / "part0.txt"), "--per-file",
                 "--output", str(tmp_path / "pf"))
    assert out.returncode == 0, out.stderr
    ds = Dataset(str(tmp_path / "pf"))
    assert len(ds) == 1
    assert ds[0].tolist() == tok.encode("\n".join(lines) + "\n").ids.tolist()


def test_bad_input_is_named_or_skipped(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{not json\n{"other": "x"}\n{"text": 12}\n'
                   '{"text": "also fine"}\n', encoding="utf-8")
    out = encode("--tokenizer", LLAMA, "--input", str(bad), "--output", str(tmp_path / "o"))
    assert out.returncode == 1 and "bad.jsonl:2: not JSON" in out.stderr, out.stderr
    assert not any(n.endswith(".tmp") for n in os.listdir(tmp_path / "o"))
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["complete"] is False
    bad.write_text('{"text": "fine"}\n{"other": "x"}\n', encoding="utf-8")
    out = encode("--tokenizer", LLAMA, "--input", str(bad), "--output", str(tmp_path / "o"))
    assert out.returncode == 1 and 'bad.jsonl:2: no field "text"' in out.stderr, out.stderr
    bad.write_text('{"text": {"a": 1}}\n', encoding="utf-8")
    out = encode("--tokenizer", LLAMA, "--input", str(bad), "--output", str(tmp_path / "o"))
    assert 'bad.jsonl:1: field "text" is an object, not a string' in out.stderr, out.stderr
    text = tmp_path / "bad.txt"
    text.write_bytes(b"ok\n\xff\xfe broken\nok again\n")
    out = encode("--tokenizer", LLAMA, "--input", str(text), "--output", str(tmp_path / "t"))
    assert out.returncode == 1 and "bad.txt:2: invalid UTF-8" in out.stderr, out.stderr
    out = encode("--tokenizer", LLAMA, "--input", str(tmp_path / "missing.txt"), "--output",
                 str(tmp_path / "t"))
    assert out.returncode == 1 and "missing.txt" in out.stderr
    # --on-error skip: the bad records counted, the good ones encoded.
    bad.write_text('{"text": "fine"}\n{not json\n{"other": "x"}\n{"text": 12}\n'
                   '{"text": "also fine"}\n', encoding="utf-8")
    out = encode("--tokenizer", LLAMA, "--input", f"{bad},{text}", "--output",
                 str(tmp_path / "s"), "--on-error", "skip", "--format", "auto")
    assert out.returncode == 0 and "4 skipped" in out.stderr, out.stderr
    tok = xval.Tokenizer.from_file(LLAMA)
    assert [d.tolist() for d in Dataset(str(tmp_path / "s"))] == [
        tok.encode(t).ids.tolist() for t in ("fine", "also fine", "ok", "ok again")]


def test_bounded_memory_progress_on_a_terminal_and_summary_in_a_pipe(tmp_path):
    import pty
    lines = [json.loads(l)["answer"].replace("\n", " ") for l in open(GSM8K, encoding="utf-8")]
    block = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:
        for _ in range((96 << 20) // len(block) + 1):
            f.write(block)
    # On a pseudo-terminal: the progress line is redrawn ("\r") with MB/s and an ETA.
    master, slave = pty.openpty()
    proc = subprocess.Popen([CLI, "encode", "--tokenizer", LLAMA, "--input", str(path),
                             "--output", str(tmp_path / "o"), "--memory-mb", "160"],
                            stderr=slave, stdout=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=600)
    os.close(master)
    assert proc.returncode == 0
    assert seen.count(b"\r") >= 2 and b"MB/s" in seen and b"ETA" in seen, seen[-500:]
    # In a pipe: no progress line, the summary; peak memory near --memory-mb, not the input.
    peak = ("import resource, subprocess, sys\n"
            "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.stderr.write(done.stderr)\n")
    done = subprocess.run([sys.executable, "-c", peak, CLI, "encode", "--tokenizer", LLAMA,
                           "--input", str(path), "--output", str(tmp_path / "p"),
                           "--memory-mb", "160"], capture_output=True, text=True, timeout=600)
    rc, peak_kb = map(int, done.stdout.split())
    assert rc == 0 and "\r" not in done.stderr and "xval encode: " in done.stderr
    assert peak_kb < 160 * 1024, f"{peak_kb >> 10} MB peak for {path.stat().st_size >> 20} MB"
    assert _digest(tmp_path / "o") == _digest(tmp_path / "p")
    shard = Shard(str(tmp_path / "p" / "shard-00000.xvt"))
    assert len(shard) > 0


def test_an_interrupted_run_resumes_without_encoding_finished_shards(tmp_path):
    # The input breaks after many shards (a record that is not JSON); once it is mended, the run
    # goes on after the finished shards, and the folder ends up byte-equal to a clean run's.
    # (gsm8k_train: 4 MB, two batches of 2 MB at --memory-mb 160 go through before the break)
    lines = open(DATA / "corpus" / "gsm8k_train.jsonl", encoding="utf-8").read().splitlines()
    broken = tmp_path / "in.jsonl"
    broken.write_text("\n".join(lines[:7000] + ["{broken"] + lines[7000:]) + "\n",
                      encoding="utf-8")
    args = ["--tokenizer", LLAMA, "--input", str(broken), "--field", "question,answer",
            "--memory-mb", "160", "--output", str(tmp_path / "o"), "--shard-tokens", "100000"]
    out = encode(*args)
    assert out.returncode == 1 and "in.jsonl:7001: not JSON" in out.stderr
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["complete"] is False and len(manifest["shards"]) >= 5
    done = sum(s["documents"] for s in manifest["shards"])
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = encode(*args)
    assert out.returncode == 0, out.stderr
    assert f"resumed after {done} documents in {len(manifest['shards'])} shards" in out.stderr
    assert f"{len(lines) - done} documents" in out.stderr  # only the rest was encoded
    clean = encode(*args[:-3], str(tmp_path / "clean"), "--shard-tokens", "100000")
    assert clean.returncode == 0
    assert _digest(tmp_path / "o") == _digest(tmp_path / "clean")
    # Again: the run is complete; with other flags the folder is refused.
    again = encode(*args)
    assert again.returncode == 1 and "already holds this run" in again.stderr
    other = encode(*args[:-1], "90000")
    assert other.returncode == 1 and "other inputs or flags" in other.stderr


def test_megatron_layout_read_by_megatron_core(tmp_path):
    # Megatron-LM's own reader (megatron-core's IndexedDataset) on the .bin/.idx pairs.
    import warnings
    warnings.filterwarnings("ignore")
    from megatron.core.datasets.indexed_dataset import IndexedDataset
    out = encode("--tokenizer", LLAMA, "--input", GSM8K, "--field", "question,answer",
                 "--layout", "megatron", "--output", str(tmp_path), "--shard-tokens", "60000")
    assert out.returncode == 0, out.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    texts = list(_records(GSM8K, ["question", "answer"]))
    tok = xval.Tokenizer.from_file(LLAMA)
    i = 0
    for shard in manifest["shards"]:
        ds = IndexedDataset(str(tmp_path / shard["file"]), mmap=True)
        assert len(ds) == shard["documents"] and ds.index.dtype == np.uint16
        assert list(ds.document_indices) == list(range(len(ds) + 1))
        for k in range(len(ds)):
            assert ds[k].tolist() == tok.encode(texts[i]).ids.tolist(), i
            i += 1
    assert i == len(texts) and len(manifest["shards"]) > 2
    bad = encode("--tokenizer", LLAMA, "--numbers", "xval", "--input", GSM8K, "--layout",
                 "megatron", "--output", str(tmp_path / "x"))
    assert bad.returncode == 1 and "has no values" in bad.stderr


def test_parquet_input(tmp_path):
    # A string column read by pyarrow in the package's Python, a row group at a time.
    import pyarrow as pa
    import pyarrow.parquet as pq
    texts = list(_records(GSM8K, ["question", "answer"]))[:500]  # multi-line values
    pq.write_table(pa.table({"n": list(range(len(texts))), "body": texts}),
                   tmp_path / "c.parquet", row_group_size=64)
    env = dict(os.environ, XVAL_PYTHON=sys.executable)
    out = encode("--tokenizer", LLAMA, "--input", str(tmp_path / "c.parquet"), "--field", "body",
                 "--output", str(tmp_path / "o"), env=env)
    assert out.returncode == 0, out.stderr
    tok = xval.Tokenizer.from_file(LLAMA)
    assert [d.tolist() for d in Dataset(str(tmp_path / "o"))] == [
        tok.encode(t).ids.tolist() for t in texts]
    # A null is an error (or skipped and counted); a missing or non-string column is named.
    pq.write_table(pa.table({"body": ["a 1", None, "b 2"]}), tmp_path / "n.parquet")
    out = encode("--tokenizer", LLAMA, "--input", str(tmp_path / "n.parquet"), "--field", "body",
                 "--output", str(tmp_path / "n"), env=env)
    assert out.returncode == 1 and 'n.parquet: row 2: column "body" is null' in out.stderr
    out = encode("--tokenizer", LLAMA, "--input", str(tmp_path / "n.parquet"), "--field", "body",
                 "--output", str(tmp_path / "s"), "--on-error", "skip", env=env)
    assert out.returncode == 0 and "1 skipped" in out.stderr
    assert [d.tolist() for d in Dataset(str(tmp_path / "s"))] == [
        tok.encode(t).ids.tolist() for t in ("a 1", "b 2")]
    out = encode("--tokenizer", LLAMA, "--input", str(tmp_path / "c.parquet"), "--field", "n",
                 "--output", str(tmp_path / "x"), env=env)
    assert out.returncode == 1 and 'column "n" is int64, not a string' in out.stderr
    out = encode("--tokenizer", LLAMA, "--input", str(tmp_path / "c.parquet"), "--output",
                 str(tmp_path / "y"), env=env)
    assert out.returncode == 1 and 'no column "text"' in out.stderr
