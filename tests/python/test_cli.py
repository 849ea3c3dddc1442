"""The `xval tokenize` output contract: ids, pieces and json lines, one per input line, and
errors on stderr with a non-zero exit status."""
import functools
import json
import subprocess
import sys

import sentencepiece

from conftest import BUILD, DATA, ROOT
from test_gguf import unknown_model

CLI = str(BUILD / "bindings" / "cli" / "xval")
MODEL = str(DATA / "tokenizers" / "llama2" / "tokenizer.model")


@functools.lru_cache(maxsize=1)
def SP():
    return sentencepiece.SentencePieceProcessor(model_file=MODEL)


def run(*args, stdin=""):
    return subprocess.run([CLI, *args], input=stdin.encode(), capture_output=True)


def test_ids_pieces_and_json():
    sp = sentencepiece.SentencePieceProcessor(model_file=MODEL)
    lines = ["Janet sells 16 eggs.", "", "  x = -0.5e-3"]
    stdin = "".join(line + "\n" for line in lines)
    out = run("tokenize", "--tokenizer", MODEL, stdin=stdin)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().split("\n")[:-1] == [" ".join(map(str, sp.encode(l))) for l in lines]
    pieces = run("tokenize", "--tokenizer", MODEL, "--output", "pieces", stdin=stdin)
    assert pieces.stdout.decode().split("\n")[:-1] == [" ".join(sp.encode(l, out_type=str))
                                                        for l in lines]
    js = run("tokenize", "--tokenizer", MODEL, "--output", "json", "--add-bos", stdin=stdin)
    records = [json.loads(l) for l in js.stdout.decode().split("\n")[:-1]]
    assert [r["ids"] for r in records] == [[1] + sp.encode(l) for l in lines]
    for r, line in zip(records, lines):
        assert r["values"] == [1.0] * len(r["ids"])
        assert len(r["offsets"]) == len(r["ids"])
        assert all(0 <= b <= e <= len(line.encode()) for b, e in r["offsets"])


def test_digits_option_and_input_file(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("1234567\n")
    out = run("tokenize", "--tokenizer", "cl100k_base", "--data-dir", str(DATA), "--digits",
              "rtl3", "--output", "pieces", "--input", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode() == "1 234 567\n"


def test_errors_go_to_stderr():
    for args in (["tokenize", "--tokenizer", "/no/such.model"],
                 ["tokenize", "--tokenizer", MODEL, "--output", "yaml"],
                 ["tokenize", "--tokenizer", MODEL, "--digits", "sideways"],
                 ["tokenize"], ["frobnicate", "--tokenizer", MODEL]):
        out = run(*args, stdin="x\n")
        assert out.returncode != 0, args
        assert out.stdout == b"" and out.stderr, args


def test_help_lists_every_command_and_exits_0():
    for args in ([], ["--help"]):
        out = run(*args)
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode()
        for command in ("tokenize", "inspect", "generate"):
            assert f"\n  {command} " in text, text
        assert "xval COMMAND --help" in text


def test_each_command_help_lists_its_flags_with_defaults():
    expected = {
        "tokenize": ["--tokenizer TEXT", "--digits TEXT", "(default: none)", "--output TEXT",
                     "(default: ids)", "--numbers TEXT", "--input TEXT", "--add-bos", "--stats"],
        "inspect": ["--tokenizer TEXT", "--digits TEXT", "--input TEXT"],
        "generate": ["--model TEXT", "--prompt TEXT", "--max-new-tokens N", "(default: 64)",
                     "--temperature X", "--kv-cache TEXT", "(default: f32)", "--numbers TEXT",
                     "--print-ids"],
    }
    for command, needles in expected.items():
        out = run(command, "--help")
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode()
        assert text.startswith(f"usage: xval {command} [FLAGS]\n"), text
        for needle in needles:
            assert needle in text, (command, needle)


def test_version_is_the_package_version():
    import xval
    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.decode() == f"xval {xval.__version__}\n"


def test_gguf_vocabularies_and_the_meaning_of_special():
    """Ids of a GGUF vocabulary equal llama.cpp's (tests/golden/gguf) in its three modes:
    --add-special-tokens is llama.cpp's add_special, --no-parse-special its parse_special off."""
    edge = json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json").read_text())
    for family in ("llama-spm", "qwen2"):
        golden = json.loads((ROOT / "tests" / "golden" / "gguf" / f"{family}.json").read_text())
        model = str(DATA / "tokenizers" / "gguf" / f"ggml-vocab-{family}.gguf")
        picked = [i for i, s in enumerate(edge["strings"]) if s and "\n" not in s and "\r" not in s
                  and "\x0b" not in s and "\x85" not in s and "\u2028" not in s]
        stdin = "".join(edge["strings"][i] + "\n" for i in picked)
        for mode, flags in (("special_parse", ["--add-special-tokens"]), ("parse", []),
                            ("plain", ["--no-parse-special"])):
            out = run("tokenize", "--tokenizer", model, *flags, stdin=stdin)
            assert out.returncode == 0, out.stderr
            want = [" ".join(map(str, golden["edge"][mode][i])) for i in picked]
            assert out.stdout.decode().split("\n")[:-1] == want, (family, mode)


def test_files_of_the_wrong_kind_are_named(tmp_path):
    model = unknown_model(tmp_path)
    out = run("tokenize", "--tokenizer", str(model), stdin="x\n")
    assert out.returncode == 1
    assert f"--tokenizer: {model}: tokenizer.ggml.model \"xlama\"" in out.stderr.decode(), out.stderr
    out = run("tokenize", "--tokenizer", MODEL, "--input", str(tmp_path), stdin="x\n")
    assert out.returncode == 1
    assert "is a directory" in out.stderr.decode()
    out = run("tokenize", "--tokenizer", MODEL, "--no-such-flag")
    assert out.returncode == 1 and "unknown flag --no-such-flag" in out.stderr.decode()


def test_pip_installs_the_same_command():
    import shutil
    installed = shutil.which("xval")
    assert installed, "pip install . puts xval on the PATH"
    out = subprocess.run([installed, "--version"], capture_output=True)
    assert out.stdout == run("--version").stdout


def test_tokenize_streams_each_line_as_it_arrives():
    # The output of a line comes while the input is still open: xval tokenize does not wait for
    # the end of its input.
    import select
    proc = subprocess.Popen([CLI, "tokenize", "--tokenizer", MODEL], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    try:
        for text in ("The orbit takes 365.25 days.", "x = 1,234"):
            proc.stdin.write((text + "\n").encode())
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            assert ready, f"no output for {text!r} while the input stays open"
            line = proc.stdout.readline().decode().split()
            assert line == [str(i) for i in SP().encode(text)]
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_tokenize_on_a_large_input_in_bounded_memory(tmp_path, corpus):
    # 64 MB of corpus lines through a pipe: the output equals the library's, and the process's
    # peak memory stays near one batch, not the input's size (it held every line before).
    lines = [t for t in corpus if t][:20000]
    block = "\n".join(lines) + "\n"
    repeats = (64 << 20) // len(block.encode()) + 1
    path = tmp_path / "big.txt"
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(repeats):
            f.write(block)
    # A fresh Python whose only child is the command reads the command's own peak memory.
    script = ("import resource, subprocess, sys\n"
              "with open(sys.argv[1], 'rb') as i, open(sys.argv[2], 'wb') as o:\n"
              "    rc = subprocess.run(sys.argv[3:], stdin=i, stdout=o).returncode\n"
              "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "out.txt"),
                           CLI, "tokenize", "--tokenizer", MODEL], capture_output=True,
                          text=True, timeout=600)
    rc, peak_kb = map(int, done.stdout.split())
    assert rc == 0, done.stderr
    out = (tmp_path / "out.txt").read_text().split("\n")
    assert len(out) == repeats * len(lines) + 1 and out[-1] == ""
    want = [" ".join(map(str, ids)) for ids in SP().encode(lines[:3000])]
    assert out[:3000] == want and out[-len(lines) - 1:-len(lines) + 2999] == want
    assert peak_kb < 200 * 1024, f"peak {peak_kb / 1024:.0f} MB for a {path.stat().st_size >> 20} MB input"
