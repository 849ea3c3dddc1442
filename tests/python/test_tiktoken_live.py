"""`xval tokenize` against tiktoken from PyPI, live, on every corpus string.

tiktoken loads the same rank files (../shared/data/tokenizers/tiktoken) with
tiktoken.load.load_tiktoken_bpe; its patterns and special tokens are its own
(tiktoken_ext.openai_public), so this checks our built-in definitions too.
"""
import pytest

from conftest import DATA, tiktoken_encoding


@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "o200k_base"])
def test_ids_equal_tiktoken(name, corpus, xval_cli):
    enc = tiktoken_encoding(name)
    want = [" ".join(map(str, ids)) for ids in enc.encode_ordinary_batch(corpus)]
    got = xval_cli(["tokenize", "--tokenizer", name, "--data-dir", str(DATA)], corpus)
    assert len(got) == len(want)
    bad = [(line, g, w) for line, g, w in zip(corpus, got, want) if g != w]
    assert not bad, f"{len(bad)} lines differ, first: {bad[0]}"
