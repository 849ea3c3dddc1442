"""tiktoken's API over xval's byte-level tokenizers, for code written against tiktoken:

    >>> import xval.tiktoken as tiktoken
    >>> enc = tiktoken.get_encoding("cl100k_base")     # rank files from $XVAL_DATA_DIR
    >>> enc.encode("hello <|endoftext|>", allowed_special={"<|endoftext|>"})
    [15339, 220, 100257]
    >>> enc.encode_ordinary_batch(["a 1", "b 22"])
    [[64, 220, 16], [65, 220, 1313]]

The same ids as tiktoken (tests/python/test_tiktoken_api.py), the same errors (ValueError for a
disallowed special token in the text). Any byte-level tokenizer xval loads (a .tiktoken file, a
byte-level tokenizer.json, tekken) has these calls: `Encoding(xval.Tokenizer.from_file(path))`.
"""
from . import _xval

__all__ = ["Encoding", "get_encoding", "list_encoding_names"]

_NAMES = ("gpt2", "r50k_base", "cl100k_base", "o200k_base")


def list_encoding_names():
    return list(_NAMES)


def get_encoding(encoding_name, data_dir=None):
    """tiktoken.get_encoding: gpt2, r50k_base, cl100k_base or o200k_base, from the rank files in
    data_dir or $XVAL_DATA_DIR (nothing is downloaded)."""
    if encoding_name not in _NAMES:
        raise ValueError(f"Unknown encoding {encoding_name}. Plugins found: {list(_NAMES)}")
    return Encoding(_xval.Tokenizer.tiktoken(encoding_name, data_dir), name=encoding_name)


class Encoding:
    """tiktoken.Encoding's calls over an xval.Tokenizer of the byte-level kind."""

    def __init__(self, tokenizer, name=None):
        self._tok = tokenizer
        self.name = name or "xval"
        self._special = {content: id_ for content, id_, special in tokenizer.added_tokens
                         if special}
        self.special_tokens_set = set(self._special)
        self.n_vocab = tokenizer.vocab_size
        self.max_token_value = self.n_vocab - 1
        self.eot_token = self._special.get("<|endoftext|>", tokenizer.eos_id)

    def __repr__(self):
        return f"<Encoding {self.name!r} (xval)>"

    def encode(self, text, *, allowed_special=frozenset(), disallowed_special="all"):
        """Special tokens in allowed_special are matched, the others are text; a disallowed one
        ("all": every special token not allowed) in the text raises ValueError."""
        return self._tok._encode_special_sets(text, _set(allowed_special),
                                              _set(disallowed_special))

    def encode_ordinary(self, text):
        return self._tok._encode_special_sets(text, (), ())

    def encode_batch(self, text, *, num_threads=8, allowed_special=frozenset(),
                     disallowed_special="all"):
        allowed, disallowed = _set(allowed_special), _set(disallowed_special)
        # One call on every core where the special tokens are matched all or none.
        if allowed == "all":
            return self._batch(text, parse_special=True)
        if not allowed and (not disallowed or not self._holds_special(text)):
            return self._batch(text, parse_special=False)
        return [self._tok._encode_special_sets(t, allowed, disallowed) for t in text]

    def encode_ordinary_batch(self, text, *, num_threads=8):
        return self._batch(text, parse_special=False)

    def encode_single_token(self, text_or_bytes):
        key = text_or_bytes.decode() if isinstance(text_or_bytes, bytes) else text_or_bytes
        if key in self._special:
            return self._special[key]
        ids = self.encode_ordinary(key)
        if len(ids) != 1:
            raise KeyError(text_or_bytes)
        return ids[0]

    def decode_bytes(self, tokens):
        return self._tok._decode_bytes(tokens)

    def decode(self, tokens, errors="replace"):
        return self._tok._decode_bytes(tokens).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token):
        return self._tok._decode_bytes([token])

    def decode_tokens_bytes(self, tokens):
        return [self._tok._decode_bytes([t]) for t in tokens]

    def _batch(self, texts, parse_special):
        if isinstance(texts, str):
            raise TypeError("encode_batch takes a list of texts, not one str")
        ids, _, _, splits = self._tok.encode_batch_flat(list(texts), ids_only=True,
                                                        parse_special=parse_special)
        ids = ids.tolist()
        return [ids[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    def _holds_special(self, texts):
        return any(s in t for t in texts for s in self.special_tokens_set)


def _set(arg):
    """allowed_special / disallowed_special as the binding takes them: "all" or a tuple."""
    if isinstance(arg, str):
        if arg != "all":
            raise ValueError('expected "all" or a collection of special tokens')
        return "all"
    return tuple(arg)
