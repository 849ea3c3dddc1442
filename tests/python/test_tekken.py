"""Mistral's tekken.json files (shipped in the PyPI package mistral-common) against
mistral_common's own Tekkenizer (a tiktoken encoding underneath): the same ids on the whole
corpus and the edge list (special-token text read as text, as Tekkenizer.encode reads it), BOS
with add_special_tokens as encode(bos=True), and the same decoded text."""
import json
import pathlib

import pytest

from conftest import ROOT

mistral_common = pytest.importorskip("mistral_common")
from mistral_common.tokens.tokenizers.tekken import Tekkenizer  # noqa: E402

DATA = pathlib.Path(mistral_common.__file__).parent / "data"
EDGE = [s for s in json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json")
                              .read_text())["strings"]
        if not any(c in s for c in "\n\r\x0b\x85\u2028")]


@pytest.mark.parametrize("name", ["tekken_240911", "tekken_240718"])
def test_ids_equal_tekkenizer(name, corpus, xval_cli):
    path = DATA / f"{name}.json"
    ref = Tekkenizer.from_file(path)
    texts = corpus + EDGE
    want = [" ".join(map(str, ref.encode(t, bos=False, eos=False))) for t in texts]
    got = xval_cli(["tokenize", "--tokenizer", str(path), "--no-parse-special"], texts)
    bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
    assert len(got) == len(want) and not bad, (len(bad), bad[:1])
    with_bos = xval_cli(["tokenize", "--tokenizer", str(path), "--no-parse-special",
                         "--add-special-tokens"], EDGE)
    assert with_bos == [" ".join(map(str, ref.encode(t, bos=True, eos=False))) for t in EDGE]


def test_decode_equals_tekkenizer(corpus):
    import xval
    path = DATA / "tekken_240911.json"
    ref = Tekkenizer.from_file(path)
    tok = xval.Tokenizer.from_file(str(path))
    for text in corpus[:3000] + EDGE:
        ids = ref.encode(text, bos=False, eos=False)
        assert tok.decode(ids) == ref.decode(ids), text
