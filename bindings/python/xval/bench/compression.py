"""How much text a tokenizer puts in each token: bytes per token, tokens per word, fertility
(tokens per word) by the script of the word and by document kind, and how much of the
vocabulary the corpus uses. Words are runs of non-space characters; a token belongs to the word
its first byte lies in; a word's script is that of its first letter (Digits when it has none
but a digit, Other otherwise)."""
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


def compression(texts: Sequence[str], kinds: Sequence[str], ids: np.ndarray,
                offsets: np.ndarray, splits: np.ndarray, vocab_size: int) -> Dict:
    """The statistics of one tokenizer's encoding of `texts` (flat ids, byte offsets [N, 2],
    row_splits [texts + 1])."""
    words_by_script, tokens_by_script = defaultdict(int), defaultdict(int)
    bytes_by_kind, tokens_by_kind, words_by_kind = (defaultdict(int) for _ in range(3))
    total_bytes = total_words = 0
    for i, text in enumerate(texts):
        data = text.encode("utf-8")
        starts = offsets[splits[i]:splits[i + 1], 0].astype(np.int64)
        # the byte spans of the words, in order
        words = text.split()
        spans, pos = [], 0
        for w in words:
            b = text.index(w, pos)
            spans.append(b)
            pos = b + len(w)
        # characters -> bytes for the word starts and ends
        char_to_byte = np.concatenate([[0], np.cumsum([len(c.encode("utf-8")) for c in text])])
        begins = char_to_byte[np.asarray(spans, dtype=np.int64)] if spans else np.zeros(0, int)
        ends = char_to_byte[np.asarray(spans, dtype=np.int64) + [len(w) for w in words]] \
            if spans else np.zeros(0, int)
        # tokens whose first byte lies in each word
        counts = (np.searchsorted(starts, ends, side="left") -
                  np.searchsorted(starts, begins, side="left")) if spans else []
        for w, n in zip(words, counts):
            s = word_script(w)
            words_by_script[s] += 1
            tokens_by_script[s] += int(n)
        total_bytes += len(data)
        total_words += len(words)
        n_tokens = int(splits[i + 1] - splits[i])
        bytes_by_kind[kinds[i]] += len(data)
        tokens_by_kind[kinds[i]] += n_tokens
        words_by_kind[kinds[i]] += len(words)
    tokens = int(splits[-1])
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
        "vocabulary_used": int(np.unique(ids).size), "vocab_size": vocab_size,
        "vocabulary_share": float(np.unique(ids).size / vocab_size) if vocab_size else None,
    }
