"""Issue 22: one long text is cut at safe points and spread over cores. The whole corpus as one
text, encoded on 2 threads, equals the reference implementation's encoding of that text
(tiktoken's encode_ordinary for cl100k, o200k and GPT-2; sentencepiece for Llama 2; Hugging Face
tokenizers for Llama 3's tokenizer.json built from its GGUF vocabulary), and equals xval's own
1-thread result with offsets and BOS."""
import json
import sys

import numpy as np
import pytest

import xval
import xval.tiktoken as xval_tiktoken
from conftest import DATA, ROOT, corpus_lines, tiktoken_encoding

TIKTOKEN = DATA / "tokenizers" / "tiktoken"


@pytest.fixture(scope="module")
def text():
    return "\n".join(corpus_lines())


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "gpt2"])
def test_tiktoken_one_text_on_two_threads(name, text):
    tok = xval.Tokenizer.tiktoken(name, data_dir=str(TIKTOKEN))
    ids = tok.encode_batch_flat([text], ids_only=True, parse_special=False, threads=2)[0]
    expected = tiktoken_encoding(name).encode_ordinary(text)
    assert len(ids) == len(expected)
    np.testing.assert_array_equal(ids, np.asarray(expected, dtype=np.int32))


def test_sentencepiece_one_text_on_two_threads(text):
    import sentencepiece as spm
    model = str(DATA / "tokenizers" / "llama2" / "tokenizer.model")
    tok = xval.Tokenizer.from_file(model)
    ids = tok.encode_batch_flat([text], ids_only=True, threads=2)[0]
    expected = spm.SentencePieceProcessor(model_file=model).encode(text)
    np.testing.assert_array_equal(ids, np.asarray(expected, dtype=np.int32))


def test_llama3_tokenizer_json_one_text_on_two_threads(text, tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    from tokenizer_json_shapes import write_tokenizer_json
    from tokenizers import Tokenizer
    path = write_tokenizer_json("llama-bpe", tmp_path / "tokenizer.json")
    tok = xval.Tokenizer.from_file(str(path))
    ids = tok.encode_batch_flat([text], ids_only=True, threads=2)[0]
    expected = Tokenizer.from_file(str(path)).encode(text, add_special_tokens=False).ids
    np.testing.assert_array_equal(ids, np.asarray(expected, dtype=np.int32))


@pytest.mark.parametrize("source", ["cl100k_base", "llama2"])
def test_full_batch_of_one_text_equals_one_thread(source, text):
    tok = (xval.Tokenizer.tiktoken(source, data_dir=str(TIKTOKEN)) if source != "llama2" else
           xval.Tokenizer.from_file(str(DATA / "tokenizers" / "llama2" / "tokenizer.model")))
    kwargs = {"add_bos": source == "llama2"}
    one = tok.encode_batch_flat([text], threads=1, **kwargs)
    two = tok.encode_batch_flat([text], threads=2, **kwargs)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def _with_special_tokens(lines, tokens):
    """The corpus as one text with special tokens among its lines: sparse (every 1,997th line
    ends with one, so that most 32 KiB stretches hold none, and some follow one that does),
    dense (in every line of a run, so that stretch after stretch holds one), and "<|" text that
    starts no token; a token's bytes never cross the text's cuts."""
    out = []
    for i, line in enumerate(lines):
        token = tokens[i % len(tokens)]
        if i % 1997 == 0 or 30_000 <= i < 30_600:
            line = f"{line} {token}"
        if i % 1499 == 0:
            line = f"<|{line}|>"
        out.append(line)
    return "\n".join(out)


def _assert_spans_tile(text, encoding, added):
    """Byte-level tokens' spans tile the text's UTF-8 bytes, and an added token's span is its
    content."""
    data = text.encode()
    offsets = np.asarray(encoding.offsets)
    assert offsets[0][0] == 0 and offsets[-1][1] == len(data)
    np.testing.assert_array_equal(offsets[1:, 0], offsets[:-1, 1])
    ids = np.asarray(encoding.ids)
    for content, id_ in added.items():
        for begin, end in offsets[ids == id_]:
            assert data[begin:end] == content.encode()


def test_tiktoken_special_tokens_in_one_long_text():
    enc = tiktoken_encoding("cl100k_base")
    text = _with_special_tokens(corpus_lines(), ["<|endoftext|>", "<|fim_prefix|>"])
    expected = np.asarray(enc.encode(text, allowed_special="all"), dtype=np.int32)
    tok = xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(TIKTOKEN))
    for threads in (1, 2):
        ids = tok.encode_batch_flat([text], ids_only=True, parse_special=True, threads=threads)[0]
        np.testing.assert_array_equal(ids, expected)
    full = tok.encode(text)
    np.testing.assert_array_equal(np.asarray(full.ids, dtype=np.int32), expected)
    _assert_spans_tile(text, full, {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258})
    only = {"<|endoftext|>"}
    plain = text.replace("<|fim_prefix|>", "fim")
    np.testing.assert_array_equal(
        xval_tiktoken.get_encoding("cl100k_base", str(TIKTOKEN)).encode(plain, allowed_special=only),
        enc.encode(plain, allowed_special=only))


def test_llama3_special_tokens_in_one_long_text(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    from tokenizer_json_shapes import write_tokenizer_json
    from tokenizers import Tokenizer
    path = write_tokenizer_json("llama-bpe", tmp_path / "tokenizer.json")
    text = _with_special_tokens(corpus_lines(), ["<|eot_id|>", "<|begin_of_text|>"])
    reference = Tokenizer.from_file(str(path)).encode(text, add_special_tokens=False)
    tok = xval.Tokenizer.from_file(str(path))
    for threads in (1, 2):
        ids = tok.encode_batch_flat([text], ids_only=True, threads=threads)[0]
        np.testing.assert_array_equal(ids, np.asarray(reference.ids, dtype=np.int32))
    ours = tok.encode(text)
    np.testing.assert_array_equal(np.asarray(ours.ids, dtype=np.int32),
                                  np.asarray(reference.ids, dtype=np.int32))
    _assert_spans_tile(text, ours, {"<|eot_id|>": 128009, "<|begin_of_text|>": 128000})
    # The path these tests are for: no normalizer, no token that strips or matches whole words.
    shape = json.loads(path.read_text())
    assert shape["normalizer"] is None
    assert not any(t["lstrip"] or t["rstrip"] or t["single_word"] for t in shape["added_tokens"])


def test_added_tokens_beside_the_cuts_of_one_long_text(tmp_path):
    """Non-special added tokens that start right after a place where a long text may be cut
    (" hello" after a letter or digit) or end right before one ("ab1 " before a letter): the
    same ids as Hugging Face tokenizers with the same tokens added, on one and two threads."""
    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    from tokenizer_json_shapes import write_tokenizer_json
    from tokenizers import Tokenizer
    path = write_tokenizer_json("llama-bpe", tmp_path / "tokenizer.json")
    lines = corpus_lines()
    text = "\n".join(f"{line} x hello word ab1 next" if i % 37 == 0 else line
                     for i, line in enumerate(lines))
    reference = Tokenizer.from_file(str(path))
    reference.add_tokens(["hello", "ab1"])
    expected = np.asarray(reference.encode(text, add_special_tokens=False).ids, dtype=np.int32)
    tok = xval.Tokenizer.from_file(str(path))
    tok.add_tokens(["hello", "ab1"], special=False)
    for threads in (1, 2):
        ids = tok.encode_batch_flat([text], ids_only=True, threads=threads)[0]
        np.testing.assert_array_equal(ids, expected)


def test_pieces_missed_together_keep_their_places():
    """A first call defers the pieces its cache misses to the end of each group of pieces and
    then moves their ids into place: texts where a group holds many such pieces, of one id to
    hundreds (runs of CJK letters, each one piece), between words, equal tiktoken's ids on
    the first call and the next."""
    import random
    rng = random.Random(22)
    cjk = [chr(c) for c in range(0x4E00, 0x9FFF, 7)]
    parts = []
    for _ in range(3000):
        kind = rng.random()
        if kind < 0.1:
            parts.append("".join(rng.choice(cjk) for _ in range(rng.randint(50, 400))))
        elif kind < 0.4:
            parts.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz")
                                 for _ in range(rng.randint(2, 14))))
        else:
            parts.append(rng.choice(["the", "of", "x", "=", "1", "23", "\n", "(a+b)"]))
    text = " ".join(parts)
    enc = tiktoken_encoding("o200k_base")
    expected = np.asarray(enc.encode_ordinary(text), dtype=np.int32)
    tok = xval.Tokenizer.tiktoken("o200k_base", data_dir=str(TIKTOKEN))
    for _ in range(2):
        ids = tok.encode_batch_flat([text], ids_only=True, parse_special=False, threads=1)[0]
        np.testing.assert_array_equal(ids, expected)
    # A first call again, into a std::vector (tiktoken's encode_ordinary), not the flat array.
    fresh = xval_tiktoken.get_encoding("o200k_base", str(TIKTOKEN))
    np.testing.assert_array_equal(fresh.encode_ordinary(text), expected)
    lines = text.split("\n")
    ids, _, _, splits = tok.encode_batch_flat(lines, ids_only=True, parse_special=False,
                                              threads=2)
    for i, line in enumerate(lines):
        np.testing.assert_array_equal(ids[splits[i]:splits[i + 1]], enc.encode_ordinary(line))
