"""How much text a tokenizer puts in each token: bytes per token, tokens per word, fertility
(tokens per word) by the script of the word and by document kind, and how much of the
vocabulary the corpus uses. Words are runs of non-space characters, except that each CJK, kana
or hangul character is a word of its own (those scripts write no spaces; fertility studies of
them count per character). A token belongs to the word its first byte lies in, or else to the
word it reaches into (a token "▁the" or " the" starts at the space before "the"). A word's
script is that of its first letter (Digits when it has none but a digit, Other otherwise)."""
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from typing import Dict, Sequence

import numpy as np

# Unicode character-name prefixes of the scripts reported, in the order they are tried.
SCRIPTS = (("LATIN", "Latin"), ("CJK", "CJK"), ("HIRAGANA", "Kana"), ("KATAKANA", "Kana"),
           ("HANGUL", "Hangul"), ("CYRILLIC", "Cyrillic"), ("GREEK", "Greek"),
           ("ARABIC", "Arabic"), ("HEBREW", "Hebrew"), ("DEVANAGARI", "Devanagari"),
           ("THAI", "Thai"))


@lru_cache(maxsize=65536)
def char_script(c: str) -> str:
    if not c.isalpha():
        return "Digits" if c.isdigit() else ""
    name = unicodedata.name(c, "")
    for prefix, script in SCRIPTS:
        if name.startswith(prefix):
            return script
    return "Other letters"


def word_script(word: str) -> str:
    digits = False
    for c in word:
        s = char_script(c)
        if s and s != "Digits":
            return s
        digits |= s == "Digits"
    return "Digits" if digits else "Other"


CHARACTER_SCRIPTS = {"CJK", "Kana", "Hangul"}
_SPACE = re.compile(r"\S+")


def words_of(text: str):
    """(begin, end) character spans of the words of `text` (see the module's docstring)."""
    for m in _SPACE.finditer(text):
        begin = m.start()
        for i in range(m.start(), m.end()):
            if char_script(text[i]) in CHARACTER_SCRIPTS:
                if i > begin:
                    yield begin, i
                yield i, i + 1
                begin = i + 1
        if begin < m.end():
            yield begin, m.end()


def compression(texts: Sequence[str], kinds: Sequence[str], ids: np.ndarray,
                offsets: np.ndarray, splits: np.ndarray, vocab_size: int) -> Dict:
    """The statistics of one tokenizer's encoding of `texts` (flat ids, byte offsets [N, 2],
    row_splits [texts + 1])."""
    words_by_script, tokens_by_script = defaultdict(int), defaultdict(int)
    bytes_by_kind, tokens_by_kind, words_by_kind = (defaultdict(int) for _ in range(3))
    total_bytes = total_words = 0
    for i, text in enumerate(texts):
        data_size = len(text.encode("utf-8"))
        spans = list(words_of(text))
        if spans:
            # character positions -> byte positions
            char_to_byte = np.zeros(len(text) + 1, dtype=np.int64)
            np.cumsum([len(c.encode("utf-8")) for c in text], out=char_to_byte[1:])
            chars = np.asarray(spans, dtype=np.int64)
            begins, ends = char_to_byte[chars[:, 0]], char_to_byte[chars[:, 1]]
            tokens = offsets[splits[i]:splits[i + 1]].astype(np.int64)
            # the word that holds each token's first byte, else the next word if it reaches in
            at = np.searchsorted(begins, tokens[:, 0], side="right") - 1
            inside = (at >= 0) & (tokens[:, 0] < ends[np.maximum(at, 0)])
            nxt = at + 1
            reaches = ~inside & (nxt < len(spans)) & \
                (tokens[:, 1] > begins[np.minimum(nxt, len(spans) - 1)])
            word = np.where(inside, at, np.where(reaches, nxt, -1))
            counts = np.bincount(word[word >= 0], minlength=len(spans))
            for (b, e), n in zip(spans, counts):
                script = word_script(text[b:e])
                words_by_script[script] += 1
                tokens_by_script[script] += int(n)
        total_bytes += data_size
        total_words += len(spans)
        bytes_by_kind[kinds[i]] += data_size
        tokens_by_kind[kinds[i]] += int(splits[i + 1] - splits[i])
        words_by_kind[kinds[i]] += len(spans)
    tokens = int(splits[-1])
    used = int(np.unique(ids).size)
    return {
        "bytes": total_bytes, "tokens": tokens, "words": total_words,
        "bytes_per_token": total_bytes / tokens if tokens else None,
        "tokens_per_word": tokens / total_words if total_words else None,
        "fertility_by_script": {s: {"words": words_by_script[s],
                                    "tokens_per_word": tokens_by_script[s] / words_by_script[s]}
                                for s in sorted(words_by_script, key=lambda s: -words_by_script[s])},
        "by_kind": {k: {"bytes_per_token": bytes_by_kind[k] / tokens_by_kind[k]
                        if tokens_by_kind[k] else None,
                        "tokens_per_word": tokens_by_kind[k] / words_by_kind[k]
                        if words_by_kind[k] else None}
                    for k in sorted(bytes_by_kind)},
        "vocabulary_used": used, "vocab_size": vocab_size,
        "vocabulary_share": used / vocab_size if vocab_size else None,
    }
