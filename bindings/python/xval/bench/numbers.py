"""How a tokenizer cuts numbers.

Every statistic reads token spans (byte offsets) over texts made of a short context and a
number, and keeps the part of each token that lies inside the number: "a 143" cut as
["a", " 14", "3"] cuts 143 as 2 + 1 digits (the leading space belongs to the context). An xVal
tokenizer's [NUM] covers the whole number: one piece.

- tokens_per_number: mean pieces of numbers of 1..20 digits, integers and decimals (a point
  inside), sampled with a fixed seed;
- segmentations: the cut of every integer 0..99,999 after a space; how many distinct cuts there
  are, the most common, and how many numbers are cut differently when a letter, a minus sign or
  a digit precedes them instead; the cut of each of 0..999 (for the heatmap);
- digits_per_token: over a corpus, how many digits each token that holds digits has;
- xval_survival: for an xVal tokenizer, the share of the corpus's numbers it turns into [NUM]
  whose value float32 holds exactly.
"""
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

# encode(texts) -> (offsets uint [N, 2] byte spans, row_splits [texts + 1])
Encoder = Callable[[Sequence[str]], Tuple[np.ndarray, np.ndarray]]

CONTEXTS = {"space": "a ", "letter": "a", "sign": "a -", "digit": "a 9"}
MAX_DIGITS = 20
SAMPLES_PER_LENGTH = 100
SEGMENTATION_RANGE = 100_000
HEATMAP_RANGE = 1000


def xval_encoder(tokenizer) -> Encoder:
    """An Encoder over an xval.Tokenizer (its batch encoder, on every core)."""
    def encode(texts):
        _, _, offsets, splits = tokenizer.encode_batch_flat(list(texts))
        return offsets, splits.astype(np.int64)
    return encode


def cuts(encode: Encoder, numbers: Sequence[str], prefix: str) -> List[Tuple[int, ...]]:
    """For each number, the lengths (characters of the number: digits, and a decimal point) of
    the pieces tokens cut it into after `prefix`."""
    offsets, splits = encode([prefix + n for n in numbers])
    start = len(prefix.encode("utf-8"))
    out = []
    for i, n in enumerate(numbers):
        end = start + len(n)
        spans = offsets[splits[i]:splits[i + 1]]
        pieces = np.minimum(spans[:, 1], end).astype(np.int64) - np.maximum(spans[:, 0], start)
        out.append(tuple(int(p) for p in pieces if p > 0))
    return out


def pattern_name(cut: Tuple[int, ...]) -> str:
    return "+".join(map(str, cut))


def sample_numbers(digits: int, decimal: bool, count: int, seed: int = 0) -> List[str]:
    """`count` numbers of `digits` digits (no leading zero; 0-9 for one digit); decimal: a
    point after one of the first digits-1 digits. Deterministic for a seed."""
    rng = np.random.default_rng(seed * 1000 + digits * 2 + decimal)
    out = []
    for _ in range(count):
        if digits == 1:
            text = str(rng.integers(0, 10))
        else:
            text = str(rng.integers(1, 10)) + "".join(map(str, rng.integers(0, 10, digits - 1)))
        if decimal:
            point = int(rng.integers(1, digits))
            text = text[:point] + "." + text[point:]
        out.append(text)
    return out


def tokens_per_number(encode: Encoder, samples: int = SAMPLES_PER_LENGTH) -> List[Dict]:
    rows = []
    for d in range(1, MAX_DIGITS + 1):
        row = {"digits": d}
        for kind, decimal in (("integer", False), ("decimal", True)):
            if decimal and d == 1:
                row[kind] = None
                continue
            numbers = sample_numbers(d, decimal, samples)
            row[kind] = float(np.mean([len(c) for c in cuts(encode, numbers, CONTEXTS["space"])]))
        rows.append(row)
    return rows


def segmentations(encode: Encoder, limit: int = SEGMENTATION_RANGE,
                  heatmap: int = HEATMAP_RANGE) -> Dict:
    numbers = [str(n) for n in range(limit)]
    by_context = {name: cuts(encode, numbers, prefix) for name, prefix in CONTEXTS.items()}
    base = by_context["space"]
    counts = Counter(pattern_name(c) for c in base)
    differ = {name: sum(a != b for a, b in zip(base, other))
              for name, other in by_context.items() if name != "space"}
    any_differ = sum(any(by_context[name][i] != base[i] for name in differ)
                     for i in range(limit))
    return {"range": limit, "distinct": len(counts),
            "most_common": [[p, n] for p, n in counts.most_common(12)],
            "differ_by_context": differ, "differ_in_any_context": any_differ,
            "heatmap": [pattern_name(c) for c in base[:heatmap]]}


def digits_per_token(texts: Sequence[str], offsets: np.ndarray, splits: np.ndarray) -> Dict:
    """{digit count: tokens} over the tokens whose span holds at least one ASCII digit."""
    hist = Counter()
    for i, text in enumerate(texts):
        data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        if not data.size:
            continue
        cum = np.concatenate([[0], np.cumsum((data >= 48) & (data <= 57))])
        spans = offsets[splits[i]:splits[i + 1]].astype(np.int64)
        counts = cum[np.minimum(spans[:, 1], data.size)] - cum[np.minimum(spans[:, 0], data.size)]
        hist.update(counts[counts > 0].tolist())
    return {int(k): int(v) for k, v in sorted(hist.items())}


def _exact_in_float32(text: str) -> bool:
    try:
        value = Decimal(text.replace(",", "").replace("_", "").lstrip("+"))
    except InvalidOperation:
        return False
    return value.is_finite() and Decimal(float(np.float32(float(value)))) == value


def xval_survival(tokenizer, texts: Sequence[str]) -> Dict:
    """Of the numbers an xVal tokenizer finds in the texts: how many it makes [NUM], and how
    many of those float32 holds exactly (the rest lose digits, as "0.1" does)."""
    found = as_num = exact = 0
    for text in texts:
        data = text.encode("utf-8")
        for begin, end, _value, num in tokenizer.find_numbers(text):
            found += 1
            if num:
                as_num += 1
                exact += _exact_in_float32(data[begin:end].decode("utf-8", "replace"))
    return {"numbers": found, "as_num": as_num, "exact_in_float32": exact,
            "exact_share": exact / as_num if as_num else None}
