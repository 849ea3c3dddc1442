"""`xval tokenize` against tiktoken from PyPI, live, on every corpus string.

tiktoken loads the same rank files (../shared/data/tokenizers/tiktoken) with
tiktoken.load.load_tiktoken_bpe; its patterns and special tokens are its own
(tiktoken_ext.openai_public), so this checks our built-in definitions too.
"""
import pytest
import tiktoken
from tiktoken.load import load_tiktoken_bpe
from tiktoken_ext import openai_public

from conftest import DATA

RANKS = DATA / "tokenizers" / "tiktoken"


def reference(name, monkeypatch):
    # openai_public's definitions download their rank files; point them at ours instead.
    file = {"gpt2": "gpt2", "r50k_base": "gpt2"}.get(name, name)
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe",
                        lambda *args, **kwargs: load_tiktoken_bpe(str(RANKS / f"{file}.tiktoken")))
    if name == "gpt2":  # gpt2 is built from encoder.json and vocab.bpe; its ranks are r50k's
        definition = openai_public.r50k_base()
        definition["name"] = "gpt2"
    else:
        definition = getattr(openai_public, name)()
    return tiktoken.Encoding(**definition)


@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "o200k_base"])
def test_ids_equal_tiktoken(name, corpus, xval_cli, monkeypatch):
    enc = reference(name, monkeypatch)
    want = [" ".join(map(str, ids)) for ids in enc.encode_ordinary_batch(corpus)]
    got = xval_cli(["tokenize", "--tokenizer", name, "--data-dir", str(DATA)], corpus)
    assert len(got) == len(want)
    bad = [(line, g, w) for line, g, w in zip(corpus, got, want) if g != w]
    assert not bad, f"{len(bad)} lines differ, first: {bad[0]}"
