"""Issue 22 (first calls): a long str without CPython's UTF-8 form is encoded to UTF-8 by xval
itself (bindings/python/src/text_views.cc). Its UTF-8 must be CPython's: ids and byte offsets
equal those of the str's own .encode() bytes, and tiktoken's ids, for strs of each of CPython's
three storage widths, on one thread and (a very long str) on several; a lone surrogate raises as
str.encode does; the str xval holds to reuse its UTF-8 is let go."""
import random
import sys

import numpy as np
import pytest

import xval
from conftest import DATA, tiktoken_encoding

TIKTOKEN = DATA / "tokenizers" / "tiktoken"
LONG = 70_000  # characters: over the 65,536 from which xval encodes a str itself
VERY_LONG = (1 << 20) + 4099  # over the 1,048,576 from which it does so on several threads


@pytest.fixture(scope="module")
def tok():
    return xval.Tokenizer.tiktoken("cl100k_base", data_dir=str(TIKTOKEN))


def fresh_text(top, seed):
    """A new str of about LONG characters, mostly ASCII words, with characters up to `top`
    (0xFF: stored one byte each, 0xFFFF: two, 0x10FFFF: four)."""
    rng = random.Random(seed)
    others = [c for c in (0xE9, 0xFF, 0x3B1, 0x7FF, 0x800, 0x4E2D, 0xFFFD, 0xFFFF, 0x10000,
                          0x1F600, 0x10FFFF) if c <= top]
    words = []
    size = 0
    while size < LONG:
        word = "".join(rng.choice("abcdefghij 0123.,\n") for _ in range(rng.randrange(1, 40)))
        if rng.random() < 0.3:
            word += "".join(chr(rng.choice(others)) for _ in range(rng.randrange(1, 5)))
        words.append(word)
        size += len(word)
    text = "".join(words) + chr(top)  # the top character fixes the storage width
    return text


@pytest.mark.parametrize("top", [0xFF, 0xFFFF, 0x10FFFF])
@pytest.mark.parametrize("threads", [1, 2])
def test_long_str_gives_the_ids_and_offsets_of_its_utf8(tok, top, threads):
    text = fresh_text(top, seed=top)
    utf8 = text.encode("utf-8")
    from_str = tok.encode_batch_flat([text], threads=threads)
    from_bytes = tok.encode_batch_flat([utf8], threads=threads)
    for a, b in zip(from_str, from_bytes):
        np.testing.assert_array_equal(a, b)
    assert from_str[2][-1, 1] == len(utf8)  # the last token ends at the UTF-8's end
    expected = tiktoken_encoding("cl100k_base").encode_ordinary(text)
    np.testing.assert_array_equal(from_str[0], np.asarray(expected, dtype=np.int32))


@pytest.mark.parametrize("top", [0xFF, 0xFFFF, 0x10FFFF])
def test_utf8_written_a_chunk_at_a_time(tok, top):
    """xval writes a long str's UTF-8 65,536 characters at a time: characters of the most bytes
    the width allows on both sides of every such boundary, over several chunks."""
    chars = list(fresh_text(top, seed=top + 1) * 4)
    for boundary in range(1 << 16, len(chars), 1 << 16):
        chars[boundary - 1] = chars[boundary] = chr(top)
    text = "".join(chars)
    from_str = tok.encode_batch_flat([text])
    from_bytes = tok.encode_batch_flat([text.encode("utf-8")])
    for a, b in zip(from_str, from_bytes):
        np.testing.assert_array_equal(a, b)


def test_same_str_again_and_in_a_batch(tok):
    text = fresh_text(0xFFFF, seed=7)
    first = tok.encode_batch_flat([text], ids_only=True)[0]
    again = tok.encode_batch_flat([text, "x", text], ids_only=True)
    np.testing.assert_array_equal(again[0][:len(first)], first)
    np.testing.assert_array_equal(again[0][-len(first):], first)
    # After CPython made its own UTF-8 form (pybind11's str -> std::string asks for it), that
    # is what is read.
    tok.encode(text)
    np.testing.assert_array_equal(tok.encode_batch_flat([text], ids_only=True)[0], first)


def test_str_subclass(tok):
    class Text(str):
        pass
    text = Text(fresh_text(0x10FFFF, seed=11))
    ids = tok.encode_batch_flat([text], ids_only=True)[0]
    np.testing.assert_array_equal(
        ids, tok.encode_batch_flat([str(text).encode("utf-8")], ids_only=True)[0])


def very_long_text(top, seed):
    """A str of VERY_LONG characters whose middle (where two threads' stretches meet) holds
    characters of the most bytes the width allows."""
    chars = list((fresh_text(top, seed) * 16)[:VERY_LONG])
    middle = VERY_LONG // 2
    chars[middle - 1] = chars[middle] = chars[-1] = chr(top)
    return "".join(chars)


@pytest.mark.parametrize("top", [0xFF, 0xFFFF, 0x10FFFF])
@pytest.mark.parametrize("threads", [2, 0])
def test_very_long_str_encoded_by_threads(tok, top, threads):
    text = very_long_text(top, seed=top + 2)
    utf8 = text.encode("utf-8")
    from_str = tok.encode_batch_flat([text], threads=threads)
    from_bytes = tok.encode_batch_flat([utf8], threads=threads)
    for a, b in zip(from_str, from_bytes):
        np.testing.assert_array_equal(a, b)
    assert from_str[2][-1, 1] == len(utf8)


def expect_the_error_of_str_encode(tok, chars, where, surrogate, threads):
    """chars with a lone surrogate at `where` raise, when encoded on `threads`, the error
    str.encode raises: the same reason, start and end."""
    chars[where] = surrogate
    text = "".join(chars)
    with pytest.raises(UnicodeEncodeError) as expected:
        text.encode("utf-8")
    with pytest.raises(UnicodeEncodeError) as got:
        tok.encode_batch_flat([text], ids_only=True, threads=threads)
    assert got.value.reason == expected.value.reason
    assert (got.value.start, got.value.end) == (expected.value.start, expected.value.end)


@pytest.mark.parametrize("where", [0, VERY_LONG // 2 - 1, VERY_LONG // 2, -1])
def test_lone_surrogate_in_a_very_long_str(tok, where):
    expect_the_error_of_str_encode(tok, list(very_long_text(0xFFFF, seed=4)), where, "\udfff",
                                   threads=2)


@pytest.mark.parametrize("where", [0, LONG // 2, -1])
def test_lone_surrogate_raises_as_str_encode_does(tok, where):
    expect_the_error_of_str_encode(tok, list(fresh_text(0xFFFF, seed=3)), where, "\ud800",
                                   threads=0)


def test_the_held_str_is_let_go(tok):
    first = fresh_text(0xFFFF, seed=21)
    base = sys.getrefcount(first)
    tok.encode_batch_flat([first], ids_only=True)
    assert sys.getrefcount(first) <= base + 1  # held at most once, to reuse its UTF-8
    for seed in range(3):  # later long strs take its place
        tok.encode_batch_flat([fresh_text(0x10FFFF, seed=100 + seed)], ids_only=True)
    assert sys.getrefcount(first) == base
    # A str whose other references are gone is let go at the next call.
    gone = []

    class Text(str):
        def __del__(self):
            gone.append(True)
    held = Text(fresh_text(0xFF, seed=30))
    tok.encode_batch_flat([held], ids_only=True)
    del held
    assert not gone  # xval's reference keeps it, until
    tok.encode_batch_flat(["short"], ids_only=True)
    assert gone


def test_a_held_str_whose_release_encodes_again(tok):
    """Letting the held str go may run Python code (a str subclass's __del__) that encodes
    another long str: what xval holds must stay a str and its own UTF-8 throughout."""
    other = fresh_text(0x10FFFF, seed=51)
    expected = tok.encode_batch_flat([other.encode("utf-8")], ids_only=True)[0]
    got = []

    class Text(str):
        def __del__(self):
            got.append(tok.encode_batch_flat([other], ids_only=True)[0])

    held = Text(fresh_text(0xFFFF, seed=50))
    tok.encode_batch_flat([held], ids_only=True)
    del held  # xval's reference is now the last
    tok.encode_batch_flat(["short"], ids_only=True)  # lets `held` go: its __del__ encodes
    assert len(got) == 1
    np.testing.assert_array_equal(got[0], expected)
    # What xval holds now is `other` with its own UTF-8.
    np.testing.assert_array_equal(tok.encode_batch_flat([other], ids_only=True)[0], expected)


def mixed_batch(tok, n, seed):
    """n texts of every kind a batch's reader tells apart: ASCII str, non-ASCII str of each
    width (some after CPython made its own UTF-8 form), bytes, a str subclass, and long strs."""
    class Text(str):
        pass
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        word = "".join(rng.choice("abc xyz 0123.,") for _ in range(rng.randrange(0, 30)))
        kind = i % 7
        if kind == 1:
            word += "é中"
        elif kind == 2:
            word += "\U0001F600"  # no UTF-8 form kept: read through CPython's encoder
        elif kind == 3:
            word = word.encode("utf-8")
        elif kind == 4:
            word += "ß"
            tok.encode(word)  # pybind11's str -> std::string makes CPython keep its UTF-8
        elif kind == 5:
            word = Text(word + "\u03b1")
        texts.append(word)
    texts[n // 3] = fresh_text(0xFFFF, seed=seed)  # long: encoded by xval itself
    texts[2 * n // 3] = fresh_text(0xFF, seed=seed + 1)
    return texts


@pytest.mark.parametrize("threads", [1, 2, 0])
def test_a_long_list_read_by_several_threads_gives_each_texts_ids(tok, threads):
    """A list of 40,000 texts is read by several threads at once (text_views.cc): each text's
    ids are tiktoken's, whatever its kind and wherever it lies."""
    texts = mixed_batch(tok, 40_000, seed=5)
    ids, _, _, splits = tok.encode_batch_flat(texts, ids_only=True, threads=threads)
    enc = tiktoken_encoding("cl100k_base")
    assert len(splits) == len(texts) + 1
    for i in list(range(0, len(texts), 97)) + [len(texts) // 3, 2 * len(texts) // 3]:
        text = texts[i].decode("utf-8") if isinstance(texts[i], bytes) else str(texts[i])
        np.testing.assert_array_equal(ids[splits[i]:splits[i + 1]],
                                      np.asarray(enc.encode_ordinary(text), dtype=np.int32))


class _Sequence:
    """A sequence with __len__ and __getitem__ only."""

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


@pytest.mark.parametrize("threads", [1, 2])
def test_any_sequence_gives_what_its_list_gives(tok, threads):
    """A tuple and a sequence of another type give the ids and splits the same texts give as a
    list (text_views.cc reads them item by item, a list by several threads)."""
    texts = mixed_batch(tok, 20_000, seed=7)
    want = tok.encode_batch_flat(texts, ids_only=True, threads=threads)
    for seq in (tuple(texts), _Sequence(texts)):
        got = tok.encode_batch_flat(seq, ids_only=True, threads=threads)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[3], want[3])
    assert len(want[3]) == len(texts) + 1


@pytest.mark.parametrize("threads", [1, 2])
def test_a_long_list_raises_for_its_first_bad_item(tok, threads):
    texts = mixed_batch(tok, 40_000, seed=6)
    texts[30_000] = 3.5
    texts[-1] = 7
    with pytest.raises(TypeError, match="not of float"):
        tok.encode_batch_flat(texts, ids_only=True, threads=threads)
    texts[30_000] = "x"
    texts[35_000] = "a lone \ud800 surrogate"
    with pytest.raises(UnicodeEncodeError):
        tok.encode_batch_flat(texts, ids_only=True, threads=threads)
