"""tiktoken rank files of any name: Llama 3's original `tokenizer.model` (a tiktoken file)
recognised by its content, and a file of an encoding xval does not know, with the pattern and
special tokens the caller gives, against tiktoken itself built from the same file (Meta's
llama3/tokenizer.py builds its tiktoken.Encoding the same way). The Llama 3 file is written from
llama.cpp's llama-bpe vocabulary (Meta-Llama-3's 128,000 ranks and 256 special tokens)."""
import base64
import ctypes

import pytest

from conftest import DATA

tiktoken = pytest.importorskip("tiktoken")
pytest.importorskip("transformers")

# llama3/tokenizer.py (Meta-Llama-3).
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                  r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def _byte_decoder():
    """GPT-2's byte-level alphabet back to bytes (transformers' bytes_to_unicode, inverted)."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode
    return {c: b for b, c in bytes_to_unicode().items()}


@pytest.fixture(scope="module")
def llama3(tmp_path_factory):
    """Llama 3's tokenizer.model and its special tokens, from the llama-bpe GGUF vocabulary."""
    from transformers.integrations.gguf.gguf_tokenizer_mapping import get_gguf_tokenizer
    _, vocab, _ = get_gguf_tokenizer(str(DATA / "tokenizers" / "gguf" /
                                         "ggml-vocab-llama-bpe.gguf"))
    tokens = vocab["tokens"]
    decode = _byte_decoder()
    path = tmp_path_factory.mktemp("llama3") / "tokenizer.model"
    with open(path, "w") as f:
        for rank, token in enumerate(tokens[:128000]):
            f.write(f"{base64.b64encode(bytes(decode[c] for c in token)).decode()} {rank}\n")
    special = {t: 128000 + i for i, t in enumerate(tokens[128000:])}
    return path, special


def _reference(path, special):
    from tiktoken.load import load_tiktoken_bpe
    return tiktoken.Encoding(name=path.name, pat_str=LLAMA3_PATTERN,
                             mergeable_ranks=load_tiktoken_bpe(str(path)),
                             special_tokens=special)


def _texts(corpus, special):
    names = list(special)
    # Special-token text inside ordinary text, where tiktoken's encode(allowed_special="all")
    # matches it and encode_ordinary does not.
    mixed = [f"{names[i % min(12, len(names))]}{line}{names[(i * 7) % len(names)]} x" for i, line in
             enumerate(corpus[::97])]
    # Whole texts with line breaks, and whitespace that ends a text with a newline inside (which
    # Llama 3's pattern, unlike cl100k's, cuts after the last newline).
    multiline = ["\n".join(corpus[i:i + 3]) + end
                 for i, end in zip(range(0, 3000, 100), ["", "\n", "\n \t", " \n\n  "] * 8)]
    return corpus[::3] + mixed + multiline


def test_llama3_tokenizer_model_is_recognised_by_content(llama3, corpus):
    import xval
    path, special = llama3
    ref = _reference(path, special)
    tok = xval.Tokenizer.from_file(str(path))
    assert tok.vocab_size == 128256
    assert tok.bos_id == special["<|begin_of_text|>"]
    texts = _texts(corpus, special)
    bad = [t for t in texts if tok.encode(t, parse_special=False).ids.tolist() !=
           ref.encode_ordinary(t)]
    assert not bad, (len(bad), bad[:1])
    bad = [t for t in texts if tok.encode(t).ids.tolist() != ref.encode(t, allowed_special="all")]
    assert not bad, (len(bad), bad[:1])
    ids = ref.encode(texts[5])
    assert tok.decode(ids) == ref.decode(ids)


def test_unknown_encoding_with_the_callers_pattern_and_special_tokens(llama3, corpus, tmp_path,
                                                                      xval_cli, lib):
    import xval
    path, _ = llama3
    # Another name, and Llama 3.1's names for the special tokens.
    renamed = tmp_path / "my_encoding.tiktoken"
    renamed.write_bytes(path.read_bytes())
    special = {"<|begin_of_text|>": 128000, "<|end_of_text|>": 128001,
               "<|finetune_right_pad_id|>": 128004, "<|eom_id|>": 128008, "<|eot_id|>": 128009,
               "<|python_tag|>": 128010}
    ref = _reference(renamed, special)
    tok = xval.Tokenizer.from_file(str(renamed), pattern=LLAMA3_PATTERN, special_tokens=special)
    texts = _texts(corpus[::5], special)
    bad = [t for t in texts if tok.encode(t).ids.tolist() != ref.encode(t, allowed_special="all")]
    assert not bad, (len(bad), bad[:1])
    # The same through the CLI's flags and the C ABI's loader.
    lines = [t for t in texts if "\n" not in t]
    got = xval_cli(["tokenize", "--tokenizer", str(renamed), "--tiktoken-pattern", LLAMA3_PATTERN,
                    "--tiktoken-special", ",".join(f"{k}={v}" for k, v in special.items())], lines)
    assert got == [" ".join(map(str, ref.encode(t, allowed_special="all"))) for t in lines]
    names = (ctypes.c_char_p * len(special))(*[k.encode() for k in special])
    ids = (ctypes.c_int32 * len(special))(*special.values())
    handle = ctypes.c_void_p()
    assert lib.xval_tokenizer_load_tiktoken(str(renamed).encode(), LLAMA3_PATTERN.encode(),
                                            names, ids, len(special), None,
                                            ctypes.byref(handle)) == 0
    try:
        assert lib.xval_vocab_size(handle) == max(special.values()) + 1
        for text in texts[:300]:
            raw = text.encode()
            out = (ctypes.c_int32 * (len(raw) + 8))()
            n = ctypes.c_size_t()
            assert lib.xval_encode(handle, raw, len(raw), None, out, None, None, len(out),
                                   ctypes.byref(n)) == 0
            assert list(out[:n.value]) == ref.encode(text, allowed_special="all"), text
    finally:
        lib.xval_tokenizer_free(handle)


def test_unknown_encoding_without_a_pattern_is_refused_by_name(llama3, tmp_path):
    import xval
    path, _ = llama3
    cut = tmp_path / "tokenizer.model"
    cut.write_text("".join(path.read_text().splitlines(keepends=True)[:1000]))
    with pytest.raises(ValueError, match="unknown encoding .*give its pattern and special tokens"):
        xval.Tokenizer.from_file(str(cut))
