"""GGUF vocabularies from Python: the ids equal llama.cpp's (tests/golden/gguf, from libllama)
with add_special_tokens and parse_special meaning what they mean there."""
import json

import pytest

import xval
from conftest import DATA, ROOT

GOLDEN = ROOT / "tests" / "golden" / "gguf"


@pytest.mark.parametrize("family", ["llama-spm", "llama-bpe", "falcon", "qwen35"])
def test_edge_strings_in_every_mode(family):
    edge = json.loads((GOLDEN / "edge_strings.json").read_text())["strings"]
    golden = json.loads((GOLDEN / f"{family}.json").read_text())["edge"]
    tok = xval.Tokenizer.from_file(str(DATA / "tokenizers" / "gguf" / f"ggml-vocab-{family}.gguf"))
    for mode, kwargs in (("special_parse", {"add_special_tokens": True}), ("parse", {}),
                         ("plain", {"parse_special": False})):
        assert [list(tok.encode(s, **kwargs).ids) for s in edge] == golden[mode], (family, mode)
        batch = tok.encode_batch(edge, **kwargs)
        assert [list(e.ids) for e in batch] == golden[mode]
        ids, _, _, splits = tok.encode_batch_flat(edge, ids_only=True, **kwargs)
        assert [list(ids[splits[i]:splits[i + 1]]) for i in range(len(edge))] == golden[mode]


def unknown_model(tmp_path):
    """llama-spm's vocabulary with tokenizer.ggml.model "llama" changed to "xlama"."""
    data = (DATA / "tokenizers" / "gguf" / "ggml-vocab-llama-spm.gguf").read_bytes()
    key = b"tokenizer.ggml.model" + (8).to_bytes(4, "little") + (5).to_bytes(8, "little")
    assert data.count(key + b"llama") == 1
    path = tmp_path / "unknown.gguf"
    path.write_bytes(data.replace(key + b"llama", key + b"xlama"))
    return path


def test_models_not_read_yet_are_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match='tokenizer.ggml.model "xlama"'):
        xval.Tokenizer.from_file(str(unknown_model(tmp_path)))
