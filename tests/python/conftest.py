"""Shared fixtures: where the build and the reference data are, and the corpus lines."""
import ctypes
import json
import math
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path(os.environ.get("XVAL_DATA_DIR", ROOT.parent / "shared" / "data"))
BUILD = pathlib.Path(os.environ.get("XVAL_BUILD_DIR", ROOT / "build" / "release"))
CORPUS_FILES = ["agieval_gaokao-mathqa.jsonl", "cmath_test.jsonl", "gsm8k_test.jsonl",
                "gsm8k_train.jsonl", "minif2f_test.jsonl", "mmlu_stem_test.jsonl",
                "ocw_test.jsonl"]


def _strings(value):
    """Every string in a record, nested ones included, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def corpus_lines():
    """Each line of each string of each record, as `xval tokenize` reads lines."""
    lines = []
    for name in CORPUS_FILES:
        with open(DATA / "corpus" / name, encoding="utf-8") as f:
            for record in f:
                if record.strip():
                    for s in _strings(json.loads(record)):
                        lines.extend(s.split("\n"))
    return lines


@pytest.fixture(scope="session")
def corpus():
    return corpus_lines()


@pytest.fixture(scope="session")
def lib():
    """libxval.so from the build through ctypes, the C ABI's functions typed."""
    path = BUILD / "bindings" / "c" / "libxval.so"
    if not path.exists():
        pytest.fail(f"{path} is missing: build first (scripts/test.sh does)")
    c = ctypes.CDLL(str(path))
    c.xval_version.restype = ctypes.c_char_p
    c.xval_last_error.restype = ctypes.c_char_p
    c.xval_tokenizer_load.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                      ctypes.POINTER(ctypes.c_void_p)]
    c.xval_tokenizer_load_tiktoken.argtypes = [
        ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_int32), ctypes.c_size_t, ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_void_p)]
    c.xval_tokenizer_free.argtypes = [ctypes.c_void_p]
    c.xval_vocab_size.argtypes = [ctypes.c_void_p]
    c.xval_encode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                              ctypes.POINTER(ctypes.c_int32), ctypes.c_void_p, ctypes.c_void_p,
                              ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    c.xval_decode.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32), ctypes.c_size_t,
                              ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    c.xval_stream_new.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    c.xval_stream_free.argtypes = [ctypes.c_void_p]
    c.xval_stream_push.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_float,
                                   ctypes.POINTER(ctypes.c_char_p),
                                   ctypes.POINTER(ctypes.c_size_t)]
    c.xval_stream_flush.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p),
                                    ctypes.POINTER(ctypes.c_size_t)]
    return c


@pytest.fixture(scope="session")
def xval_cli():
    cli = BUILD / "bindings" / "cli" / "xval"
    if not cli.exists():
        pytest.fail(f"{cli} is missing: build first (scripts/test.sh does)")

    def run(args, lines):
        text = "".join(line + "\n" for line in lines)
        out = subprocess.run([str(cli), *args], input=text.encode("utf-8"), capture_output=True,
                             check=True)
        return out.stdout.decode("utf-8").split("\n")[:-1]

    return run


def tiktoken_encoding(name):
    """tiktoken's own definition of `name` (pattern, special tokens) over our rank files.

    tiktoken_ext.openai_public's definitions download their rank files; they are pointed at
    ../shared/data/tokenizers/tiktoken instead (gpt2's ranks are r50k_base's).
    """
    from unittest import mock

    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext import openai_public

    file = DATA / "tokenizers" / "tiktoken" / f"{'gpt2' if name in ('gpt2', 'r50k_base') else name}.tiktoken"
    with mock.patch.object(openai_public, "load_tiktoken_bpe",
                           lambda *args, **kwargs: load_tiktoken_bpe(str(file))):
        definition = openai_public.r50k_base() if name == "gpt2" else getattr(openai_public, name)()
    definition["name"] = name
    return tiktoken.Encoding(**definition)
