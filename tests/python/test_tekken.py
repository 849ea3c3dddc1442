"""Mistral's tekken.json files (the data files of the PyPI package mistral-common, installed
without its dependencies by scripts/install-deps.sh) against tiktoken, as mistral_common's
Tekkenizer builds its encoder: the first default_vocab_size - default_num_special_tokens ranks
of `vocab`, the file's pattern, no special tokens, ids shifted after the special ones. The same
ids on the whole corpus and the edge list (special-token text read as text, encode_ordinary),
BOS with add_special_tokens, and the same decoded text. And against Hugging Face `tokenizers`
as transformers converts a tekken.json (its MistralConverter: the ranks as byte-level BPE merges,
the special tokens as added tokens that text can name)."""
import base64
import importlib.util
import json
import pathlib

import pytest
import tiktoken

from conftest import ROOT

SPEC = importlib.util.find_spec("mistral_common")
if SPEC is None:
    pytest.skip("mistral-common is not installed (scripts/install-deps.sh installs it)",
                allow_module_level=True)
DATA = pathlib.Path(SPEC.origin).parent / "data"
EDGE = [s for s in json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json")
                              .read_text())["strings"]
        if not any(c in s for c in "\n\r\x0b\x85\u2028")]


def tekkenizer(path):
    """(tiktoken encoding, number of special tokens), as mistral_common's Tekkenizer."""
    model = json.loads(path.read_text())
    config = model["config"]
    n_special = config["default_num_special_tokens"]
    n_ranks = config["default_vocab_size"] - n_special
    ranks = {base64.b64decode(t["token_bytes"]): t["rank"] for t in model["vocab"][:n_ranks]}
    enc = tiktoken.Encoding(name=path.stem, pat_str=config["pattern"], mergeable_ranks=ranks,
                            special_tokens={})
    return enc, n_special


@pytest.mark.parametrize("name", ["tekken_240911", "tekken_240718"])
def test_ids_equal_tiktoken(name, corpus, xval_cli):
    path = DATA / f"{name}.json"
    enc, n_special = tekkenizer(path)
    texts = corpus + EDGE
    want = [" ".join(str(i + n_special) for i in ids)
            for ids in enc.encode_ordinary_batch(texts, num_threads=1)]
    got = xval_cli(["tokenize", "--tokenizer", str(path), "--no-parse-special"], texts)
    bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
    assert len(got) == len(want) and not bad, (len(bad), bad[:1])
    # add_special_tokens: <s> (id 1), as mistral_common's encode(bos=True).
    with_bos = xval_cli(["tokenize", "--tokenizer", str(path), "--no-parse-special",
                         "--add-special-tokens"], EDGE)
    assert with_bos == [" ".join(["1"] + [str(i + n_special) for i in enc.encode_ordinary(t)])
                        for t in EDGE]


def test_decode_equals_tiktoken(corpus):
    import xval
    path = DATA / "tekken_240911.json"
    enc, n_special = tekkenizer(path)
    tok = xval.Tokenizer.from_file(str(path))
    for text in corpus[:3000] + EDGE:
        ids = enc.encode_ordinary(text)
        assert tok.decode([i + n_special for i in ids]) == enc.decode(ids), text


@pytest.mark.parametrize("name", ["tekken_240911", "tekken_240718"])
def test_ids_and_decode_equal_tokenizers_converter(name, corpus):
    import xval
    converter = pytest.importorskip("transformers.integrations.mistral.tokenizer")
    path = DATA / f"{name}.json"
    hf = converter.MistralConverter(str(path)).converted()
    tok = xval.Tokenizer.from_file(str(path))
    texts = corpus + EDGE  # the edge list names special tokens: both read them as such
    want = [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]
    got = [list(e.ids) for e in tok.encode_batch(texts)]
    bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
    assert len(got) == len(want) and not bad, (len(bad), bad[:1])
    # The converted tokenizer's ByteLevel post-processor adds nothing; our add_special_tokens
    # adds <s> as mistral_common's encode(bos=True) does (test_ids_equal_tiktoken).
    assert [list(tok.encode(t, add_special_tokens=True).ids) for t in EDGE] == \
        [[1] + hf.encode(t, add_special_tokens=False).ids for t in EDGE]
    for text, ids in zip(texts[:3000] + EDGE, want[:3000] + want[-len(EDGE):]):
        assert tok.decode(ids) == hf.decode(ids, skip_special_tokens=False), text


@pytest.mark.parametrize("name", ["tekken_240911", "tekken_240718"])
def test_special_ids_equal_mistral_common(name):
    """BOS, EOS and the padding token at the ranks mistral_common's Tekkenizer gives <s>, </s>
    and <pad> (its default special-token table, read from its source: importing the class needs
    Pillow, which the tests do not install)."""
    import re

    import xval
    source = (pathlib.Path(SPEC.origin).parent / "tokens" / "tokenizers" / "tekken.py").read_text()
    rank = {m.group(2): int(m.group(1)) for m in
            re.finditer(r"SpecialTokenInfo\(rank=(\d+), token_str=SpecialTokens\.(\w+)", source)}
    tok = xval.Tokenizer.from_file(str(DATA / f"{name}.json"))
    assert (tok.bos_id, tok.eos_id, tok.pad_id) == (rank["bos"], rank["eos"], rank["pad"])
