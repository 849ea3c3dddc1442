"""tokenizer.json files of every GGUF family, in the shape transformers builds them from the
GGUF vocabulary (its own GGUF-to-tokenizer converter, the tokenizers API underneath), against
Hugging Face `tokenizers`: the same ids on the whole corpus and the edge list, with
add_special_tokens true and false. A shape xval does not read is refused by name, never read
differently."""
import json

import pytest
from tokenizers import Tokenizer

from conftest import DATA, ROOT

pytest.importorskip("transformers")
from transformers.integrations.gguf.gguf_tokenizer_mapping import (  # noqa: E402
    convert_gguf_tokenizer, get_gguf_tokenizer)

READ = ["aquila", "baichuan", "command-r", "deepseek-coder", "deepseek-llm", "falcon", "gemma-4",
        "gpt-2", "gpt-neox", "llama-bpe", "llama-spm", "mpt", "nomic-bert-moe", "phi-3", "qwen2",
        "qwen35", "refact", "starcoder"]
# Shapes not read: the error names the field.
REFUSED = {"truncation": ("truncation", {"max_length": 8, "strategy": "LongestFirst",
                                         "stride": 0, "direction": "Right"}),
           "model.type": ("model", {"type": "Morfessor"})}

EDGE = [s for s in json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json")
                              .read_text())["strings"]
        if not any(c in s for c in "\n\r\x0b\x85\u2028")]  # one text per line for the CLI


def tokenizer_json(family, tmp_path):
    arch, vocab, _ = get_gguf_tokenizer(str(DATA / "tokenizers" / "gguf" /
                                            f"ggml-vocab-{family}.gguf"))
    backend, _ = convert_gguf_tokenizer(arch, vocab)
    path = tmp_path / f"{family}.json"
    backend.save(str(path))
    return path


@pytest.mark.parametrize("family", READ)
def test_ids_equal_tokenizers(family, tmp_path, corpus, xval_cli):
    path = tokenizer_json(family, tmp_path)
    ref = Tokenizer.from_file(str(path))
    texts = corpus + EDGE
    for add in (False, True):
        want = [" ".join(map(str, e.ids))
                for e in ref.encode_batch(texts, add_special_tokens=add)]
        got = xval_cli(["tokenize", "--tokenizer", str(path)] +
                       (["--add-special-tokens"] if add else []), texts)
        bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
        assert len(got) == len(want) and not bad, (family, add, len(bad), bad[:1])


@pytest.mark.parametrize("field", sorted(REFUSED))
def test_shapes_not_read_are_refused_by_name(field, tmp_path):
    import subprocess
    from conftest import BUILD
    path = tokenizer_json("qwen2", tmp_path)
    data = json.loads(path.read_text())
    key, value = REFUSED[field]
    data[key] = value
    path.write_text(json.dumps(data))
    out = subprocess.run([str(BUILD / "bindings" / "cli" / "xval"), "tokenize", "--tokenizer",
                          str(path)], input=b"x\n", capture_output=True)
    assert out.returncode == 1
    assert f"{path}: {field}" in out.stderr.decode(), out.stderr
