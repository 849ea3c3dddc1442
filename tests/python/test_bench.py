"""xval.bench: the correctness gate flags a tokenizer whose ids differ from the reference; the
number statistics on a hand-made vocabulary equal values counted by hand; the whole run (speed
in worker processes, gate, compression, numbers, the report files) on a slice of the corpus;
`xval bench` from the command line."""
import json
import subprocess
import sys

import numpy as np
import pytest

import xval
from xval.bench import Document, Subject, numbers, run
from xval.bench.corpus import load_corpus

from conftest import BUILD, DATA

LLAMA = str(DATA / "tokenizers" / "llama2" / "tokenizer.model")

# A hand-made BPE vocabulary with no pre-tokenizer: digits merge only as "1 2" -> "12",
# "12 3" -> "123" and "9 9" -> "99", in that order of rank.
HAND_VOCAB = {c: i for i, c in enumerate(["a", " ", "-", "."] + list("0123456789"))}
HAND_VOCAB.update({"12": 14, "123": 15, "99": 16})


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    path = tmp_path_factory.mktemp("hand") / "tokenizer.json"
    path.write_text(json.dumps({
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": HAND_VOCAB, "merges": ["1 2", "12 3", "9 9"]}}))
    return numbers.xval_encoder(xval.Tokenizer.from_file(str(path)))


def test_cuts_on_the_hand_made_vocabulary(hand):
    got = numbers.cuts(hand, ["7", "12", "123", "120", "912", "999", "199", "1.25"], "a ")
    assert got == [(1,), (2,), (3,), (2, 1), (1, 2), (2, 1), (1, 2), (1, 1, 1, 1)]
    # After the digit 9 the first 9 of 99 merges with it: the number keeps one digit of it.
    assert numbers.cuts(hand, ["99", "999", "9"], "a 9") == [(1, 1), (1, 2), (1,)]


def test_segmentations_counted_by_hand(hand):
    # 0..999 after a space: 10 one-digit numbers; of 90 two-digit ones, 12 and 99 are one token;
    # of 900 three-digit ones, 123 is one token, 12x (x != 3) and 99x, 999 are 2+1 (9 + 10),
    # x12 and x99 (x != 9) are 1+2 (9 + 8), the other 863 are 1+1+1.
    s = numbers.segmentations(hand, limit=1000, heatmap=20)
    assert dict(s["most_common"]) == {"1+1+1": 863, "1+1": 88, "2+1": 19, "1+2": 17, "1": 10,
                                      "2": 2, "3": 1}
    assert s["distinct"] == 7
    # A letter or a minus sign before the number changes nothing here; a digit 9 before it
    # takes the first 9 of 99 and of 990..999: 11 numbers.
    assert s["differ_by_context"] == {"letter": 0, "sign": 0, "digit": 11}
    assert s["differ_in_any_context"] == 11
    assert s["heatmap"][:13] == ["1"] * 10 + ["1+1", "1+1", "2"]


def test_tokens_and_digits_per_token_by_hand(hand):
    rows = numbers.tokens_per_number(hand, samples=5)
    assert rows[0] == {"digits": 1, "integer": 1.0, "decimal": None}
    for row in rows:  # never more pieces than characters, never fewer than a third
        assert row["digits"] / 3 <= row["integer"] <= row["digits"]
    texts = ["a 123 99", "a 7 -12"]
    offsets, splits = hand(texts)
    assert numbers.digits_per_token(texts, offsets, splits) == {1: 1, 2: 2, 3: 1}


def test_xval_survival_by_hand():
    tok = xval.Tokenizer.from_file(LLAMA, numbers="xval")
    # 0.5 and 3 are float32 values; 0.1 and 2^24 + 1 are not.
    got = numbers.xval_survival(tok, ["x 0.5 y 0.1", "z 3 w 16777217"])
    assert got == {"numbers": 4, "as_num": 4, "exact_in_float32": 2, "exact_share": 0.5}


def _docs(corpus, n=300):
    return [Document(t, "corpus") for t in corpus[:n] if t.strip()]


def test_the_gate_flags_a_tokenizer_that_differs(tmp_path, corpus, monkeypatch):
    # A tokenizer of our own (engine "module:Class", loaded in the workers): xval's ids, but
    # the last token of each document holding a "7" dropped.
    (tmp_path / "wrong_engine.py").write_text(
        "import numpy as np, xval\n"
        "class DropsOnSeven:\n"
        "    def __init__(self, subject, threads):\n"
        "        self.tok = xval.Tokenizer.from_file(subject.source)\n"
        "    def encode_flat(self, texts):\n"
        "        rows = [list(self.tok.encode(t).ids) for t in texts]\n"
        "        rows = [r[:-1] if '7' in t else r for r, t in zip(rows, texts)]\n"
        "        from xval.bench.subjects import _flat\n"
        "        return _flat(rows)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    docs = _docs(corpus)
    sevens = [i for i, d in enumerate(docs) if "7" in d.text]
    assert sevens
    results = run(docs, [LLAMA, Subject("wrong_engine:DropsOnSeven", LLAMA)], str(tmp_path / "r"),
                  peers=["sentencepiece"], threads=[1], repeats=1, quick=True, quiet=True)
    by_engine = {r["engine"]: r for r in results["subjects"]}
    assert by_engine["xval"]["gate"]["status"] == "equal"
    wrong = by_engine["wrong_engine:DropsOnSeven"]["gate"]
    assert wrong["status"] == "differs" and wrong["reference"] == "sentencepiece"
    assert wrong["documents_differ"] == len(sevens) and wrong["first_document"] == sevens[0]
    ref_ids = xval.Tokenizer.from_file(LLAMA).encode(docs[sevens[0]].text).ids.tolist()
    assert wrong["first_difference"]["token"] == len(ref_ids) - 1
    report = (tmp_path / "r" / "report.md").read_text()
    assert "DIFFERS from sentencepiece" in report and "(not ranked)" in report
    assert json.loads((tmp_path / "r" / "results.json").read_text())["subjects"]


def test_a_whole_run_on_a_corpus_slice(tmp_path, corpus):
    docs = _docs(corpus, 2000)
    results = run(docs, [LLAMA, LLAMA + ",digits=individual", LLAMA + ",numbers=xval",
                         "cl100k_base"], str(tmp_path), threads=[1, 2], repeats=1, quick=True,
                  data_dir=str(DATA), quiet=True)
    rows = {r["name"]: r for r in results["subjects"]}
    assert rows["xval: llama2/tokenizer.model"]["gate"]["status"] == "equal"
    assert rows["xval: cl100k_base"]["gate"]["status"] == "equal"
    for r in results["subjects"]:
        for n in ("1", "2"):
            assert "error" not in r["speed"][n], (r["name"], r["speed"][n])
            assert r["speed"][n]["mb_per_s"] > 0 and r["speed"][n]["load_s"] >= 0
    # Splitting digits never gives fewer tokens per number; xVal gives one per number.
    plain = rows["xval: llama2/tokenizer.model"]["numbers"]["tokens_per_number"]
    split = rows["xval: llama2/tokenizer.model [digits=individual]"]["numbers"]["tokens_per_number"]
    xv = rows["xval: llama2/tokenizer.model [numbers=xval]"]["numbers"]
    assert all(s["integer"] >= p["integer"] for s, p in zip(split, plain))
    assert all(row["integer"] == 1.0 for row in xv["tokens_per_number"])
    assert xv["xval"]["tokens_saved"] > 0
    assert rows["xval: cl100k_base"]["numbers"]["digits_per_token"].keys() <= {1, 2, 3}
    assert (tmp_path / "report.md").read_text().startswith("# Tokenizer benchmark")


def test_the_corpus_reader(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"q": "line one\\nline two", "n": {"x": "inner"}}\n\n'
                                      '{"q": "third"}\n')
    (tmp_path / "b.txt").write_text("first\nsecond\n")
    docs = load_corpus([str(tmp_path)])
    assert [(d.text, d.kind) for d in docs] == [("line one\nline two\ninner", "a"),
                                               ("third", "a"), ("first", "b"), ("second", "b")]
    assert [d.text for d in load_corpus([str(tmp_path / "a.jsonl")], fields=["n.x"])] == ["inner"]
    assert [d.text for d in load_corpus([str(tmp_path / "*.txt")], per_file=True)] == [
        "first\nsecond\n"]
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"n": [1, 2, 3], "text": ["x = 1", None, "multi\nline"]}),
                   tmp_path / "c.parquet")
    assert [(d.text, d.kind) for d in load_corpus([str(tmp_path / "c.parquet")])] == [
        ("x = 1", "c"), ("multi\nline", "c")]
    with pytest.raises(ValueError, match="no column 'body'"):
        load_corpus([str(tmp_path / "c.parquet")], column="body")
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_corpus([str(tmp_path / "bad.jsonl")])
    with pytest.raises(FileNotFoundError):
        load_corpus([str(tmp_path / "missing*.txt")])


def test_the_command(tmp_path):
    (tmp_path / "c.txt").write_text("The orbit takes 365.25 days.\nx = 1,234\n")
    cli = BUILD / "bindings" / "cli" / "xval"
    out = subprocess.run([str(cli), "bench", str(tmp_path / "c.txt"), "-t", LLAMA,
                          "--threads", "1", "--repeats", "1", "--quick", "--peers", "none",
                          "-o", str(tmp_path / "out"), "-q"], capture_output=True, text=True,
                         timeout=600, env={"XVAL_PYTHON": sys.executable,
                                           "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "llama2/tokenizer.model" in out.stdout
    assert (tmp_path / "out" / "results.json").exists()
    bad = subprocess.run([str(cli), "bench", str(tmp_path / "c.txt"), "-t", "nothing.model"],
                         capture_output=True, text=True, timeout=120,
                         env={"XVAL_PYTHON": sys.executable, "PATH": "/usr/bin:/bin"})
    assert bad.returncode == 1 and "nothing.model" in bad.stderr


def test_compression_counted_by_hand(hand):
    from xval.bench import compression
    # Words: runs of non-space, each CJK character one word.
    assert list(compression.words_of("设集合 x=1 ab")) == [(0, 1), (1, 2), (2, 3), (4, 7),
                                                           (8, 10)]
    assert [compression.word_script(w) for w in ("设", "x=1", "12", "--", "Ωmega")] == [
        "CJK", "Latin", "Digits", "Other", "Greek"]
    # "a 123 99" on the hand-made vocabulary: a | " " | 123 | " " | 99. The spaces belong to no
    # word (they neither start inside one nor reach into the next).
    texts, kinds = ["a 123 99", "9 a"], ["k1", "k2"]
    offsets, splits = hand(texts)
    ids = np.arange(int(splits[-1]))
    got = compression.compression(texts, kinds, ids, offsets, splits, vocab_size=17)
    assert got["tokens"] == 8 and got["words"] == 5 and got["bytes"] == 11
    assert got["fertility_by_script"] == {"Digits": {"words": 3, "tokens_per_word": 1.0},
                                          "Latin": {"words": 2, "tokens_per_word": 1.0}}
    assert got["by_kind"]["k1"] == {"bytes_per_token": 8 / 5, "tokens_per_word": 5 / 3}
    assert got["vocabulary_used"] == 8 and got["vocab_size"] == 17


def test_the_html_report_renders_in_headless_chromium(tmp_path, corpus):
    import shutil

    from PIL import Image
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium is missing: scripts/install-deps.sh installs it"
    run(_docs(corpus, 400), [LLAMA, LLAMA + ",numbers=xval"], str(tmp_path), peers="none",
        threads=[1], repeats=1, quick=True, quiet=True)
    page = (tmp_path / "report.html").read_text()
    assert page.count("<svg") >= 4  # speed, tokens per number, fertility, the cuts: inline
    # nothing to fetch: no image files, no links out (the SVGs refer only inside themselves)
    assert "<img" not in page and 'href="http' not in page and "images/" not in page
    shot = tmp_path / "shot.png"
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", "--window-size=1200,2400",
                           f"--screenshot={shot}", (tmp_path / "report.html").as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert shot.exists(), done.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape[:2] == (2400, 1200)
    ink = (image < 200).any(axis=2).mean()  # the share of pixels that are not near white
    colours = len(np.unique(image.reshape(-1, 3)[::7], axis=0))
    assert ink > 0.02 and colours > 50, (ink, colours)
