"""Issue 22: one long text is cut at safe points and spread over cores. The whole corpus as one
text, encoded on 2 threads, equals the reference implementation's encoding of that text
(tiktoken's encode_ordinary for cl100k, o200k and GPT-2; sentencepiece for Llama 2; Hugging Face
tokenizers for Llama 3's tokenizer.json built from its GGUF vocabulary), and equals xval's own
1-thread result with offsets and BOS."""
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
    """The corpus as one text with special tokens among its lines: sparse (every 97th line
    ends with one), dense (in every line of a run, so that stretch after stretch holds one),
    and "<|" text that starts no token; a token's bytes never cross the text's cuts."""
    out = []
    for i, line in enumerate(lines):
        token = tokens[i % len(tokens)]
        if i % 97 == 0 or 30_000 <= i < 30_600:
            line = f"{line} {token}"
        if i % 131 == 0:
            line = f"<|{line}|>"
        out.append(line)
    return "\n".join(out)


def test_tiktoken_special_tokens_in_one_long_text():
    enc = tiktoken_encoding("cl100k_base")
    text = _with_special_tokens(corpus_lines(), ["<|endoftext|>", "<|fim_prefix|>"])
    expected = np.asarray(enc.encode(text, allowed_special="all"), dtype=np.int32)
    tok = xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(TIKTOKEN))
    for threads in (1, 2):
        ids = tok.encode_batch_flat([text], ids_only=True, parse_special=True, threads=threads)[0]
        np.testing.assert_array_equal(ids, expected)
    np.testing.assert_array_equal(np.asarray(tok.encode(text).ids, dtype=np.int32), expected)
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
    lines = text.split("\n")
    ids, _, _, splits = tok.encode_batch_flat(lines, ids_only=True, parse_special=False,
                                              threads=2)
    for i, line in enumerate(lines):
        np.testing.assert_array_equal(ids[splits[i]:splits[i + 1]], enc.encode_ordinary(line))
