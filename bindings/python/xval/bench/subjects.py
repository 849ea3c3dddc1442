"""What a benchmark runs: xval on any file it loads (with digit and number options), and the
peers installed in this Python that read the same file (sentencepiece, Hugging Face
tokenizers, tiktoken, gigatoken, fastokens; PyPI's quicktok 0.2.0 is a toy BPE trainer, not
the fast tiktoken reader of that name, so it is not one). A Subject is plain data (it travels to
the worker processes as JSON); open() loads it there into an Engine: encode(texts) is the
library's own batch call, the one timed; flat(its result) -> (ids, row_splits) for the gate."""
import importlib.util
import os
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

TIKTOKEN_NAMES = ("gpt2", "r50k_base", "p50k_base", "cl100k_base", "o200k_base")
# The reference implementation of each format: the peer whose ids xval's must equal.
REFERENCE = {"sentencepiece": "sentencepiece", "tokenizer.json": "tokenizers",
             "tiktoken": "tiktoken"}
# The peers that read each format, where they are installed.
PEERS = {"sentencepiece": ["sentencepiece", "gigatoken"],
         "tokenizer.json": ["tokenizers", "fastokens", "gigatoken"],
         "tiktoken": ["tiktoken", "gigatoken", "fastokens"]}


@dataclass
class Subject:
    engine: str           # "xval", a peer's module name, or "module:Class" (one's own)
    source: str           # a file, or a tiktoken encoding's name
    options: Dict[str, str] = field(default_factory=dict)  # xval's from_file keywords
    label: str = ""       # the tokenizer's name in reports (default: from the source)
    data_dir: str = ""    # where tiktoken names find their rank files

    @property
    def format(self) -> str:
        return source_format(self.source)

    @property
    def tokenizer(self) -> str:
        """The tokenizer's name: the label, or the file's (and its options)."""
        name = self.label or _short_name(self.source)
        if self.options:
            name += " [" + ", ".join(f"{k}={v}" for k, v in sorted(self.options.items())) + "]"
        return name

    @property
    def name(self) -> str:
        return f"{self.engine}: {self.tokenizer}"

    def to_json(self) -> dict:
        return asdict(self)

    def open(self, threads: int):
        """Loads the tokenizer (in the worker): an Engine. An engine "module:Class" is a
        tokenizer of the user's own: Class(subject, threads), an Engine (or anything with
        encode_flat(texts))."""
        if ":" in self.engine:
            import importlib
            module, _, cls = self.engine.partition(":")
            return getattr(importlib.import_module(module), cls)(self, threads)
        if self.engine not in OPENERS:
            raise ValueError(f"{self.engine}: not an engine ({', '.join(OPENERS)} or module:Class)")
        return OPENERS[self.engine](self, threads)


def source_format(source: str) -> str:
    base = os.path.basename(source)
    if source in TIKTOKEN_NAMES or base.endswith(".tiktoken"):
        return "tiktoken"
    if base.endswith(".model"):
        return "sentencepiece"
    if base.endswith(".gguf"):
        return "gguf"
    if base == "tekken.json":
        return "tekken"
    if base.endswith(".json"):
        return "tokenizer.json"
    raise ValueError(f"{source}: not a tokenizer file xval reads (.model, tokenizer.json, "
                     f".tiktoken or a tiktoken name, .gguf, tekken.json)")


def _short_name(source: str) -> str:
    if source in TIKTOKEN_NAMES:
        return source
    parent = os.path.basename(os.path.dirname(os.path.abspath(source)))
    return f"{parent}/{os.path.basename(source)}"


def parse_spec(spec: str, data_dir: str = "") -> Subject:
    """"PATH_OR_NAME[,key=value...]" -> an xval Subject; keys are from_file's keywords (digits,
    numbers, number_mode, transform, ...) and `label`."""
    source, *pairs = spec.split(",")
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"{spec}: options are key=value, not {pair!r}")
        options[key.strip()] = value.strip()
    label = options.pop("label", "")
    if source not in TIKTOKEN_NAMES and not os.path.exists(source):
        raise FileNotFoundError(f"{source}: no such tokenizer file")
    source_format(source)  # refuses what xval does not read
    return Subject("xval", source, options, label, data_dir)


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def peers_of(subject: Subject) -> List[Subject]:
    """The installed peers that read the same tokenizer as an xval subject without options."""
    if subject.options:
        return []  # digit modes and xVal change the ids: nothing else implements them
    return [Subject(peer, subject.source, {}, subject.label, subject.data_dir)
            for peer in PEERS.get(subject.format, []) if installed(peer)]


def reference_of(subject: Subject) -> Optional[str]:
    """The engine whose ids `subject` must equal (None: no reference for it)."""
    if subject.options:
        return None
    ref = REFERENCE.get(subject.format)
    return ref if ref and ref != subject.engine and installed(ref) else None


# --- opening each engine (in the worker process) ------------------------------------------


class Engine:
    """encode(texts): the library's batch call, as its users call it (timed); flat(result):
    its ids as (ids uint32 [N], row_splits int64 [texts + 1]) (not timed)."""

    def encode(self, texts):
        raise NotImplementedError

    def flat(self, result) -> Tuple[np.ndarray, np.ndarray]:
        return _flat(result)

    def encode_flat(self, texts) -> Tuple[np.ndarray, np.ndarray]:
        return self.flat(self.encode(texts))


def _flat(rows) -> Tuple[np.ndarray, np.ndarray]:
    """Lists of ids -> (ids uint32 [N], row_splits int64 [texts + 1])."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    splits = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=splits[1:])
    ids = np.fromiter((i for r in rows for i in r), dtype=np.uint32, count=int(splits[-1]))
    return ids, splits


def _tiktoken_path(s: Subject) -> str:
    if s.source not in TIKTOKEN_NAMES:
        return s.source
    name = "r50k_base" if s.source == "gpt2" else s.source
    data = s.data_dir or os.environ.get("XVAL_DATA_DIR", "")
    for candidate in (name, "gpt2" if name == "r50k_base" else name):
        path = os.path.join(data, "tokenizers", "tiktoken", f"{candidate}.tiktoken")
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{s.source}: no {name}.tiktoken under {data}/tokenizers/tiktoken "
                            "(--data-dir or XVAL_DATA_DIR)")


def _tiktoken_name(s: Subject) -> str:
    if s.source in TIKTOKEN_NAMES:
        return s.source
    stem = os.path.basename(s.source).split(".")[0]
    if stem in TIKTOKEN_NAMES:
        return stem
    raise ValueError(f"{s.source}: the peers know a .tiktoken file's pattern by its name "
                     f"({', '.join(TIKTOKEN_NAMES)})")


class _Xval(Engine):
    def __init__(self, s: Subject, threads: int):
        import xval
        self.threads = threads
        if s.source in TIKTOKEN_NAMES:
            keep = {k: v for k, v in s.options.items()
                    if k in ("digits", "numbers", "number_mode", "transform")}
            self.tok = xval.Tokenizer.tiktoken(s.source, data_dir=s.data_dir or None, **keep)
        else:
            self.tok = xval.Tokenizer.from_file(s.source, **_typed(s.options))
        # tiktoken's encode_ordinary and sentencepiece read special tokens' text as text.
        self.parse_special = s.format not in ("tiktoken", "sentencepiece")

    def encode(self, texts):
        return self.tok.encode_batch_flat(texts, ids_only=True, parse_special=self.parse_special,
                                          threads=self.threads)

    def flat(self, result):
        return result[0], result[3].astype(np.int64)


def _typed(options: Dict[str, str]) -> dict:
    return {k: int(v) if k == "max_digits" else v for k, v in options.items()}


class _SentencePiece(Engine):
    def __init__(self, s: Subject, threads: int):
        import sentencepiece as spm
        self.sp, self.threads = spm.SentencePieceProcessor(model_file=s.source), threads

    def encode(self, texts):
        try:
            return self.sp.encode(texts, num_threads=self.threads)
        except TypeError:  # versions without num_threads
            return self.sp.encode(texts)


class _Tokenizers(Engine):
    def __init__(self, s: Subject, threads: int):
        import tokenizers
        self.tok = tokenizers.Tokenizer.from_file(s.source)

    def encode(self, texts):
        return self.tok.encode_batch(texts, add_special_tokens=False)

    def flat(self, result):
        return _flat([e.ids for e in result])


class _Tiktoken(Engine):
    def __init__(self, s: Subject, threads: int):
        from unittest import mock

        import tiktoken
        from tiktoken.load import load_tiktoken_bpe
        from tiktoken_ext import openai_public
        name, path = _tiktoken_name(s), _tiktoken_path(s)
        # tiktoken's own definition (pattern, special tokens), its ranks read from the file.
        with mock.patch.object(openai_public, "load_tiktoken_bpe",
                               lambda *a, **k: load_tiktoken_bpe(path)):
            definition = (openai_public.r50k_base() if name == "gpt2"
                          else getattr(openai_public, name)())
        definition["name"] = name
        self.enc, self.threads = tiktoken.Encoding(**definition), threads

    def encode(self, texts):
        return self.enc.encode_ordinary_batch(texts, num_threads=self.threads)


class _Gigatoken(Engine):
    def __init__(self, s: Subject, threads: int):
        import gigatoken
        fmt = s.format
        if fmt == "sentencepiece":
            self.tok = gigatoken.Tokenizer.from_sentencepiece(s.source)
        elif fmt == "tiktoken":
            name = _tiktoken_name(s)
            scheme = {"gpt2": "gpt2", "r50k_base": "gpt2", "p50k_base": "gpt2",
                      "cl100k_base": "cl100k", "o200k_base": "o200k"}[name]
            self.tok = gigatoken.Tokenizer.from_tiktoken(_tiktoken_path(s), pretokenizer=scheme)
        else:
            self.tok = gigatoken.Tokenizer(s.source)

    def encode(self, texts):
        return self.tok.encode_batch_list(texts)


class _Fastokens(Engine):
    def __init__(self, s: Subject, threads: int):
        import fastokens
        if s.format == "tiktoken":
            name = _tiktoken_name(s)
            if name in ("cl100k_base", "o200k_base"):
                self.tok = fastokens.Tokenizer.from_tiktoken(_tiktoken_path(s), encoding=name)
            else:  # its presets are these two: GPT-2's pattern and end-of-text given instead
                from tiktoken_ext.openai_public import r50k_pat_str
                self.tok = fastokens.Tokenizer.from_tiktoken(
                    _tiktoken_path(s), pattern=r50k_pat_str,
                    special_tokens={"<|endoftext|>": 50256})
        else:
            self.tok = fastokens.Tokenizer.from_file(s.source)

    def encode(self, texts):
        return self.tok.encode_batch_flat(texts)

    def flat(self, result):
        ids, splits = result
        return (np.frombuffer(ids, dtype="<u4"),
                np.frombuffer(splits, dtype="<u8").astype(np.int64))


OPENERS = {"xval": _Xval, "sentencepiece": _SentencePiece, "tokenizers": _Tokenizers,
           "tiktoken": _Tiktoken, "gigatoken": _Gigatoken, "fastokens": _Fastokens}
