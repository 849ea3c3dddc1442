"""xval.tiktoken against tiktoken itself: the same ids for encode with allowed_special /
disallowed_special (all, none, a subset), encode_ordinary and the batch calls, the same
ValueError for a disallowed special token, and the same bytes and text from decode_bytes /
decode (invalid UTF-8 included), on cl100k_base and o200k_base (and gpt2)."""
import pytest

from conftest import DATA, tiktoken_encoding

NAMES = ["cl100k_base", "o200k_base", "gpt2"]


def _texts(corpus, specials):
    names = sorted(specials)
    mixed = [f"{names[i % len(names)]}{line} {names[(i * 3) % len(names)]}x"
             for i, line in enumerate(corpus[::211])]
    return corpus[::17] + mixed + ["", "<|endoftext", "<|endoftext|><|endoftext|>", " \n<|fim_prefix|>"]


@pytest.fixture(scope="module", params=NAMES)
def pair(request):
    import xval.tiktoken
    return xval.tiktoken.get_encoding(request.param, str(DATA)), tiktoken_encoding(request.param)


def test_attributes(pair):
    ours, ref = pair
    assert ours.special_tokens_set == ref.special_tokens_set
    assert (ours.n_vocab, ours.max_token_value, ours.eot_token) == (
        ref.n_vocab, ref.max_token_value, ref.eot_token)


def test_encode_with_special_sets(pair, corpus):
    ours, ref = pair
    texts = _texts(corpus, ref.special_tokens_set)
    subset = {sorted(ref.special_tokens_set)[0]}
    for kwargs in ({"allowed_special": "all"}, {"disallowed_special": ()},
                   {"allowed_special": subset, "disallowed_special": ()},
                   {"allowed_special": "all", "disallowed_special": ()}):
        assert [ours.encode(t, **kwargs) for t in texts] == [ref.encode(t, **kwargs)
                                                              for t in texts], kwargs
        assert ours.encode_batch(texts, **kwargs) == ref.encode_batch(texts, **kwargs), kwargs
    assert [ours.encode_ordinary(t) for t in texts] == [ref.encode_ordinary(t) for t in texts]
    assert ours.encode_ordinary_batch(texts) == ref.encode_ordinary_batch(texts)
    plain = [t for t in texts if not any(s in t for s in ref.special_tokens_set)]
    assert ours.encode_batch(plain) == ref.encode_batch(plain)


def test_disallowed_special_raises_as_tiktoken(pair):
    ours, ref = pair
    special = sorted(ref.special_tokens_set)[0]
    for kwargs in ({}, {"allowed_special": set(), "disallowed_special": {special}}):
        with pytest.raises(ValueError):
            ref.encode(f"a {special} b", **kwargs)
        with pytest.raises(ValueError, match="disallowed special token"):
            ours.encode(f"a {special} b", **kwargs)
        with pytest.raises(ValueError):
            ours.encode_batch(["x", f"a {special} b"], **kwargs)
    # Allowed elsewhere, disallowed nowhere: text.
    assert ours.encode(special, disallowed_special=()) == ref.encode(special, disallowed_special=())


def test_decode_bytes_and_decode(pair, corpus):
    ours, ref = pair
    for text in corpus[::101] + ["caf\u00e9 \U0001f600 \u4e2d\u6587"]:
        ids = ref.encode_ordinary(text)
        assert ours.decode_bytes(ids) == ref.decode_bytes(ids)
        assert ours.decode(ids) == ref.decode(ids) == text
        # A cut inside a character: the bytes as they are, the text with U+FFFD.
        for cut in range(1, min(len(ids), 6)):
            assert ours.decode_bytes(ids[:cut]) == ref.decode_bytes(ids[:cut])
            assert ours.decode(ids[:cut]) == ref.decode(ids[:cut])
            assert ours.decode(ids[:cut], errors="ignore") == ref.decode(ids[:cut], errors="ignore")
        assert ours.decode_tokens_bytes(ids) == ref.decode_tokens_bytes(ids)
    assert ours.encode_single_token("<|endoftext|>") == ref.encode_single_token("<|endoftext|>")
    assert ours.encode_single_token(b"hello") == ref.encode_single_token(b"hello")


def test_not_byte_level_is_a_clear_error():
    import xval
    import xval.tiktoken
    tok = xval.Tokenizer.from_file(str(DATA / "tokenizers" / "llama2" / "tokenizer.model"))
    with pytest.raises(ValueError, match="byte-level"):
        xval.tiktoken.Encoding(tok).encode("x")
    with pytest.raises(ValueError, match="Unknown encoding"):
        xval.tiktoken.get_encoding("p50k_base")
