"""tokenizer.json files of every GGUF family, in the shape transformers builds them from the
GGUF vocabulary (its own GGUF-to-tokenizer converter, the tokenizers API underneath), against
Hugging Face `tokenizers`: the same ids on the whole corpus and the edge list, with
add_special_tokens true and false. A shape xval does not read is refused by name, never read
differently."""
import json
import sys

import pytest
from tokenizers import Tokenizer

from conftest import DATA, ROOT

pytest.importorskip("transformers")
sys.path.insert(0, str(ROOT / "tests" / "tools"))
from tokenizer_json_shapes import write_tokenizer_json  # noqa: E402

READ = ["aquila", "baichuan", "command-r", "deepseek-coder", "deepseek-llm", "falcon", "gemma-4",
        "gpt-2", "gpt-neox", "llama-bpe", "llama-spm", "mpt", "nomic-bert-moe", "phi-3", "qwen2",
        "qwen35", "refact", "starcoder",
        # The published shapes that differ from the converter's: Qwen2's and Command-R's files
        # have an NFC normalizer; BERT's is BertWordPieceTokenizer's (transformers converts no
        # bert GGUF).
        "qwen2+nfc", "command-r+nfc", "bert-bge",
        # DeepSeek's published pre-tokenizers (transformers' converter writes GPT-2's for these
        # vocabularies): a Sequence of Isolated Splits, each piece of one cut again by the next.
        "deepseek-llm+published", "deepseek-coder+published", "deepseek-llm+v3"]
# Shapes not read: the error names the field.
REFUSED = {"truncation": ("truncation", {"max_length": 8, "strategy": "LongestFirst",
                                         "stride": 0, "direction": "Right"}),
           "model.type": ("model", {"type": "Morfessor"})}

EDGE = [s for s in json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json")
                              .read_text())["strings"]
        if not any(c in s for c in "\n\r\x0b\x85\u2028")]  # one text per line for the CLI


def tokenizer_json(family, tmp_path):
    path = tmp_path / f"{family}.json"
    write_tokenizer_json(family, path)
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
    # Decode (tokenizers' default skips special tokens, as xval's does) on a sample.
    import xval
    tok = xval.Tokenizer.from_file(str(path))
    sample = texts[::50]
    for text, enc in zip(sample, ref.encode_batch(sample, add_special_tokens=True)):
        assert tok.decode(enc.ids) == ref.decode(enc.ids), (family, text)


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


def test_gemma_space_joined_to_a_character_and_byte_runs(tmp_path):
    """Gemma's vocabulary joins ">" to the space after it (the piece ">\u2581</"): xval cuts the
    text into words at spaces except after such a character, which texts that need the join
    check. And byte pieces that are not UTF-8 as a run decode to one U+FFFD each, as tokenizers'
    ByteFallback decoder does (sentencepiece would keep the valid bytes)."""
    import xval
    path = tokenizer_json("gemma-4", tmp_path)
    ref = Tokenizer.from_file(str(path))
    tok = xval.Tokenizer.from_file(str(path))
    texts = ["<b> </b>", "a> </b> c", "x >  </y>", "> </", "<p> </p> <p>  </p>", "\u00e9> </i>",
             "if a>b: </", "\u2581> </\u2581"]
    joined = ref.token_to_id("> </".replace(" ", "\u2581"))
    assert joined is not None
    want = [e.ids for e in ref.encode_batch(texts, add_special_tokens=False)]
    assert any(joined in ids for ids in want)
    assert [list(tok.encode(t).ids) for t in texts] == want
    byte = [ref.token_to_id(f"<0x{b:02X}>") for b in range(256)]
    for run in ([0xE2, 0x41], [0xE2, 0x96, 0x81, 0xE2], [0xF0, 0x9F, 0x98, 0x80], [0xFF]):
        ids = [byte[b] for b in run] + [ref.token_to_id("a")]
        assert tok.decode(ids) == ref.decode(ids), run


MULTILINE_EDGE = ["a \n\t ", "x\n\n \t", "\n\t ", "line one\nline two\n", "tabs\t\n\t\n",
                  "\r\n\r\n  end", " \n", "12345\n678\n ", "<s>\n</s>\n", "a\u2028b\u0085c\x0bd"]


@pytest.mark.parametrize("family", READ)
def test_multiline_texts_equal_tokenizers(family, tmp_path):
    """Texts with newlines, whole (the CLI comparison above reads one text per line): the
    corpus's records as they are, the edge list's strings with line breaks, and whitespace runs
    that end a text with a newline inside (cl100k keeps them whole, Llama 3's and Qwen2's
    patterns cut them after the last newline)."""
    import xval

    from conftest import CORPUS_FILES, _strings
    path = tokenizer_json(family, tmp_path)
    ref = Tokenizer.from_file(str(path))
    tok = xval.Tokenizer.from_file(str(path))
    texts = list(MULTILINE_EDGE)
    texts += [s for s in json.loads((ROOT / "tests" / "golden" / "gguf" / "edge_strings.json")
                                    .read_text())["strings"] if s not in EDGE]
    for name in CORPUS_FILES:
        with open(DATA / "corpus" / name, encoding="utf-8") as f:
            records = [json.loads(r) for r in f if r.strip()]
        texts += [s for r in records[:150] for s in _strings(r) if "\n" in s]
    texts += [t + "\n \t" for t in texts[:200]]
    for add in (False, True):
        want = [e.ids for e in ref.encode_batch(texts, add_special_tokens=add)]
        got = [[int(i) for i in e.ids] for e in tok.encode_batch(texts, add_special_tokens=add)]
        bad = [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]
        assert not bad, (family, add, len(bad), len(texts), bad[:1])


@pytest.mark.parametrize("family", ["qwen2+nfc", "command-r+nfc"])
def test_long_text_under_nfc_is_cut_and_equals_tokenizers(family, tmp_path, corpus):
    """A long text under an NFC normalizer is cut into parts encoded apart (one per core), as a
    text without a normalizer is: NFC has a boundary before every space, so each part normalizes
    as the whole does. Text that NFC rewrites (combining accents, Hangul jamo) sits beside the
    cuts; the ids equal tokenizers' on the whole text, on 1 and 2 threads."""
    import numpy as np

    import xval
    path = tokenizer_json(family, tmp_path)
    ref = Tokenizer.from_file(str(path))
    tok = xval.Tokenizer.from_file(str(path))
    lines, size = [], 0
    for i, t in enumerate(corpus):
        if i % 7 == 0:
            t += " cafe\u0301 Ame\u0301lie \u1100\u1161 re\u0301sume\u0301 x"
        lines.append(t)
        size += len(t)
        if size > 700_000:
            break
    text = "\n".join(lines)
    assert ref.normalizer is not None and ref.normalizer.normalize_str(text) != text
    want = ref.encode(text, add_special_tokens=False).ids
    for threads in (1, 2):
        got = tok.encode_batch_flat([text], ids_only=True, parse_special=True, threads=threads)
        assert np.array_equal(np.asarray(got[0]), np.asarray(want, dtype=np.asarray(got[0]).dtype)), (
            family, threads)
