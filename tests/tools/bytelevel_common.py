"""Shared by the byte-level BPE golden generator, live check and benchmark: the corpus strings
and the seeded property-test strings, defined exactly as tests/text/bytelevel_corpus.h
defines them for the C++ tests."""
import json
import os

ENCODINGS = ["gpt2", "cl100k_base", "o200k_base"]
RANK_FILES = {"gpt2": "gpt2.tiktoken", "cl100k_base": "cl100k_base.tiktoken",
              "o200k_base": "o200k_base.tiktoken"}


def data_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("XVAL_DATA_DIR", os.path.join(here, "..", "..", "..", "shared", "data"))


def corpus_files() -> list:
    d = os.path.join(data_dir(), "corpus")
    return sorted(f for f in os.listdir(d) if f.endswith(".jsonl"))


def _walk(value, out):
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            _walk(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _walk(v, out)


def corpus_strings(name: str) -> list:
    """Every string of every record (nested lists and objects too, in document order), each
    line of a multi-line string (split at "\\n") a separate input."""
    out = []
    with open(os.path.join(data_dir(), "corpus", name), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            fields = []
            _walk(json.loads(line), fields)
            for s in fields:
                out.extend(s.split("\n"))
    return out


def load_encoding(name: str):
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    import tiktoken_ext.openai_public as public
    ranks = load_tiktoken_bpe(os.path.join(data_dir(), "tokenizers", "tiktoken", RANK_FILES[name]))
    spec = {"gpt2": public.gpt2, "cl100k_base": public.cl100k_base,
            "o200k_base": public.o200k_base}[name]
    # The definition without its download: the same pattern and special tokens.
    import unittest.mock as mock
    with mock.patch.object(public, "load_tiktoken_bpe", lambda *a, **k: ranks), \
         mock.patch.object(public, "data_gym_to_mergeable_bpe_ranks", lambda *a, **k: ranks):
        d = spec()
    return tiktoken.Encoding(name=d["name"], pat_str=d["pat_str"], mergeable_ranks=ranks,
                             special_tokens=d["special_tokens"],
                             explicit_n_vocab=d.get("explicit_n_vocab"))


# Property strings: splitmix64 over a fixed pool of characters chosen to hit every branch of the
# three patterns (case, marks, Lt/Lm/Lo, other numbers, the whitespace kinds, contractions,
# the long s that (?i) folds to s, slashes, invalid-looking but valid characters).
POOL = (
    list("aAbZsStTlLvVeErRdDmMkK") + list("0123456789") +
    [" "] * 8 + list("\t\n\r\x0b\x0c") + ["'"] * 4 + list(".,!?;:-_/\\()[]{}<>\"#$%&*+=@^`|~") +
    [0x17F, 0xA0, 0x85, 0x1680, 0x2000, 0x2028, 0x2029, 0x202F, 0x3000, 0x180E, 0x200B,
     0x301, 0x308, 0x903, 0x20DD, 0x1C5, 0x1C8, 0x2B0, 0x2C6, 0x3005, 0x4E00, 0x4E8C, 0x5D0,
     0x627, 0xE01, 0xC9, 0xE9, 0x130, 0x131, 0xDF, 0x1E9E, 0x3A3, 0x3C3, 0x416, 0x436, 0xBD,
     0x2165, 0x661, 0xFF11, 0x2460, 0x1F600, 0x1F44D, 0xA9, 0x2014, 0x3002, 0xFF0C, 0xFFFD,
     0x10400, 0x1D400, 0x2019, 0x201C, 0xFEFF, 0xE000, 0x10FFFF, 0x1F1FA, 0x0, 0x1B, 0x7F,
     0x9FFF, 0x31350, 0x1E900, 0x16E40, 0xA7C0, 0x2C2F, 0x1F6DC]
)
POOL = [p if isinstance(p, int) else ord(p) for p in POOL]
PROPERTY_SEED = 0x5EED0B17E
PROPERTY_COUNT = 3000


class SplitMix64:
    def __init__(self, seed: int):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)


def property_strings(seed=PROPERTY_SEED, count=PROPERTY_COUNT, pool=POOL) -> list:
    rng = SplitMix64(seed)
    out = []
    for _ in range(count):
        n = rng.next() % 24
        out.append("".join(chr(pool[rng.next() % len(pool)]) for _ in range(n)))
    return out


def fnv1a_ids(seqs) -> str:
    """FNV-1a 64 over each id as 4 little-endian bytes, and 0xFFFFFFFF after each string."""
    h = 0xCBF29CE484222325
    for ids in seqs:
        for x in list(ids) + [0xFFFFFFFF]:
            for b in (x & 0xFFFFFFFF).to_bytes(4, "little"):
                h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"
