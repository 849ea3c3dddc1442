"""Hugging Face's calling conventions on xval.Tokenizer (transformers' PreTrainedTokenizerFast):
from_pretrained, __call__ with padding / truncation / offsets, batch_decode, get_vocab and the
special-token ids. Attached to the class by xval/__init__.py. The reference is transformers
5.24 over tokenizers 0.23.3 (tests/python/test_hf_conventions.py)."""
import functools
import os

import numpy as np

from . import _xval

_FILES = ("tokenizer.json", "tokenizer.model", "tekken.json")


class BatchEncoding(dict):
    """transformers' BatchEncoding: a dict whose keys are attributes too."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def from_pretrained(path, **kwargs):
    """A folder (tokenizer.json, else tokenizer.model, else tekken.json, else one .gguf or
    .tiktoken file; a tokenizer_config.json beside gives the pad token) or one file of any
    format xval reads; str or os.PathLike. Keyword arguments are from_file's."""
    path = os.fspath(path)
    if os.path.isdir(path):
        names = sorted(os.listdir(path))
        found = [n for n in _FILES if n in names]
        found += [n for n in names if n.endswith((".gguf", ".tiktoken"))]
        if not found:
            raise FileNotFoundError(f"{path}: no tokenizer file ({', '.join(_FILES)}, *.gguf, "
                                    "*.tiktoken)")
        path = os.path.join(path, found[0])
    return _xval.Tokenizer.from_file(path, **kwargs)


def _none_if_absent(i):
    return None if i < 0 else i


def _token_text(tok, id_):
    return None if id_ < 0 else convert_ids_to_tokens(tok, id_)


def _special_ids(tok):
    """The special added tokens, and BOS, EOS, UNK and PAD (which transformers adds to them)."""
    named = (tok.bos_id, tok.eos_id, tok.unk_id, tok.pad_id)
    return frozenset([i for _, i, special in tok.added_tokens if special] +
                     [i for i in named if i >= 0])


@functools.lru_cache(maxsize=1)
def _byte_alphabet():
    """GPT-2's bytes_to_unicode: the characters a byte-level vocabulary writes bytes with."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def _is_byte_level(tok):
    try:
        tok._decode_bytes([])
        return True
    except ValueError:
        return False


def convert_ids_to_tokens(tok, ids, skip_special_tokens=False):
    """The tokens as the vocabulary writes them ("▁the", byte-level "Ġthe"); one id or a list."""
    single = isinstance(ids, (int, np.integer))
    ids = [int(ids)] if single else [int(i) for i in ids]
    special = _special_ids(tok) if skip_special_tokens else frozenset()
    added = {i: c for c, i, _ in tok.added_tokens}
    alphabet = _byte_alphabet() if _is_byte_level(tok) else None
    out = []
    for i in ids:
        if i in special:
            continue
        if i in added:
            out.append(added[i])
        elif alphabet is not None:
            out.append("".join(alphabet[b] for b in tok.id_to_token(i)))
        else:
            out.append(tok.id_to_token(i).decode("utf-8", errors="replace"))
    return out[0] if single else out


def convert_tokens_to_ids(tok, tokens):
    """Ids of tokens as convert_ids_to_tokens writes them: added tokens first, as transformers
    looks them up; an unknown token is the UNK id (None without one). One token or a list."""
    added = {c: i for c, i, _ in tok.added_tokens}
    inverse = ({c: b for b, c in _byte_alphabet().items()} if _is_byte_level(tok) else None)
    unk = _none_if_absent(tok.unk_id)

    def one(token):
        if token in added:
            return added[token]
        try:
            piece = (bytes(inverse[c] for c in token) if inverse is not None
                     else token.encode("utf-8"))
            return tok.token_to_id(piece)
        except KeyError:  # a character outside the byte alphabet, or no such piece
            return unk
    return one(tokens) if isinstance(tokens, str) else [one(t) for t in tokens]


def get_vocab(tok):
    """{token: id} over the whole vocabulary, added tokens included."""
    names = convert_ids_to_tokens(tok, range(tok.vocab_size))
    vocab = {}
    for i, name in enumerate(names):
        vocab.setdefault(name, i)
    return vocab


def _specials_around(tok):
    """(ids before, ids after) the text that add_special_tokens adds, found by encoding a
    probe with and without them."""
    probe = "a"
    body = [int(i) for i in tok.encode(probe).ids]
    full = [int(i) for i in tok.encode(probe, add_special_tokens=True).ids]
    for before in range(len(full) - len(body) + 1):
        if full[before:before + len(body)] == body:
            return full[:before], full[before + len(body):]
    raise RuntimeError("add_special_tokens changed the text's own tokens")


def _char_offsets(text, byte_offsets):
    """Byte offsets [n, 2] to offsets in characters, as Python indexes text (and tokenizers
    reports them): a token that starts or ends inside a character covers that character."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    starts = np.concatenate([[0], np.cumsum((data & 0xC0) != 0x80)])  # chars before each byte
    b = np.asarray(byte_offsets, dtype=np.int64).reshape(-1, 2)
    begin = np.where(b[:, 0] < len(data), starts[np.minimum(b[:, 0] + 1, len(data))] - 1,
                     starts[-1])
    end = starts[b[:, 1]]
    begin = np.minimum(begin, end)
    # A token of text the normalizer inserted (the "▁" SentencePiece prepends, alone before a
    # digit or a CJK character) has no bytes of its own; tokenizers aligns it to the character
    # it was put before.
    inserted = (begin == end) & (end < starts[-1])
    return np.stack([begin, np.where(inserted, end + 1, end)], axis=1)


def _convert(rows, return_tensors, single, dtype=np.int64):
    if return_tensors is None:
        rows = [r.tolist() if isinstance(r, np.ndarray) else list(r) for r in rows]
        if rows and isinstance(rows[0], list) and rows[0] and isinstance(rows[0][0], list):
            rows = [[tuple(p) for p in r] for r in rows]
        return rows[0] if single else rows
    if len({len(r) for r in rows}) > 1:
        raise ValueError("Unable to create tensor: the texts encode to different lengths; "
                         "ask for padding=True or truncation=True")
    array = np.asarray(rows, dtype=dtype)
    if return_tensors == "np":
        return array
    if return_tensors == "pt":
        import torch
        return torch.from_numpy(array)
    raise ValueError('return_tensors must be None, "np" or "pt"')


def call(tok, text, text_pair=None, add_special_tokens=True, padding=False, truncation=None,
         max_length=None, pad_to_multiple_of=None, padding_side=None, truncation_side=None,
         return_tensors=None, return_attention_mask=None, return_offsets_mapping=False,
         return_length=False):
    """transformers' tokenizer(text, ...): input_ids and attention_mask (and offset_mapping in
    characters, length) for one text or a list, with Hugging Face's padding (True / "longest",
    "max_length", pad_to_multiple_of, padding_side) and truncation (to max_length, keeping the
    special tokens add_special_tokens adds; truncation_side)."""
    if text_pair is not None:
        raise ValueError("text pairs are not supported (one text or a list of texts)")
    single = isinstance(text, str)
    texts = [text] if single else list(text)
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("text must be a str or a list of str")
    if padding is True:
        padding = "longest"
    if padding in (False, None, "do_not_pad"):
        padding = None
    if padding not in (None, "longest", "max_length"):
        raise ValueError('padding must be True, False, "longest", "max_length" or "do_not_pad"')
    if truncation in (True, "longest_first", "only_first"):
        truncation = True
    elif truncation in (None, False, "do_not_truncate"):
        truncation = False
    else:
        raise ValueError(f"truncation={truncation!r} is not supported")
    padding_side = padding_side or "right"
    truncation_side = truncation_side or "right"
    if padding_side not in ("left", "right") or truncation_side not in ("left", "right"):
        raise ValueError('padding_side and truncation_side must be "left" or "right"')
    if padding == "max_length" and max_length is None:
        raise ValueError('padding="max_length" needs max_length')
    before, after = _specials_around(tok) if add_special_tokens else ([], [])

    encodings = tok.encode_batch(texts)
    ids, offsets = [], []
    for t, e in zip(texts, encodings):
        body = np.asarray(e.ids, dtype=np.int64)
        off = _char_offsets(t, e.offsets) if return_offsets_mapping else None
        if truncation and max_length is not None:
            keep = max(max_length - len(before) - len(after), 0)
            cut = slice(0, keep) if truncation_side == "right" else slice(len(body) - keep, None)
            if len(body) > keep:
                body = body[cut]
                off = off[cut] if off is not None else None
        ids.append(np.concatenate([np.asarray(before, np.int64), body,
                                   np.asarray(after, np.int64)]))
        if off is not None:
            zeros = np.zeros((len(before), 2), np.int64), np.zeros((len(after), 2), np.int64)
            offsets.append(np.concatenate([zeros[0], off, zeros[1]]))
    masks = [np.ones(len(r), np.int64) for r in ids]
    lengths = [len(r) for r in ids]

    if padding is not None:
        width = max(lengths) if padding == "longest" else max_length
        if pad_to_multiple_of:
            width = -(-width // pad_to_multiple_of) * pad_to_multiple_of
        pad = tok.pad_id
        if any(n < width for n in lengths) and pad < 0:
            raise ValueError("Asking to pad but the tokenizer does not have a padding token "
                             "(a pad_token in tokenizer_config.json beside the file)")

        def pad_rows(rows, value, tail=()):
            out = []
            for r in rows:
                fill = np.full((max(width - len(r), 0), *tail), value, np.int64)
                out.append(np.concatenate([r, fill] if padding_side == "right" else [fill, r]))
            return out
        ids, masks = pad_rows(ids, pad), pad_rows(masks, 0)
        offsets = pad_rows(offsets, 0, (2,)) if return_offsets_mapping else offsets

    out = BatchEncoding(input_ids=_convert(ids, return_tensors, single))
    if return_attention_mask is not False:
        out["attention_mask"] = _convert(masks, return_tensors, single)
    if return_offsets_mapping:
        out["offset_mapping"] = _convert(offsets, return_tensors, single)
    if return_length:
        out["length"] = lengths[0] if single and return_tensors is None else _convert(
            [np.asarray(lengths)], return_tensors, True)
    return out


def batch_decode(tok, sequences, skip_special_tokens=False):
    """transformers' batch_decode. skip_special_tokens drops the special added tokens before
    decoding, as tokenizers does; without it their text is kept, which byte-level tokenizers
    do and the others (whose decoders xval runs without special tokens) refuse by name."""
    special = _special_ids(tok)  # once for the batch
    return [_decode(tok, ids, skip_special_tokens, special) for ids in sequences]


def decode(tok, ids, skip_special_tokens=False):
    """transformers' decode (see batch_decode)."""
    return _decode(tok, ids, skip_special_tokens, _special_ids(tok))


def _decode(tok, ids, skip_special_tokens, special):
    ids = [int(i) for i in (ids.tolist() if hasattr(ids, "tolist") else ids)]
    if skip_special_tokens:
        return tok.decode([i for i in ids if i not in special])
    if not any(i in special for i in ids):
        return tok.decode(ids)  # the same text, for every format
    return tok._decode_keeping_special(ids)  # ValueError for the formats without the mode


def _attach():
    t = _xval.Tokenizer
    t.from_pretrained = staticmethod(from_pretrained)
    t.__call__ = call
    t.batch_decode = batch_decode
    t.get_vocab = get_vocab
    t.convert_ids_to_tokens = convert_ids_to_tokens
    t.convert_tokens_to_ids = convert_tokens_to_ids
    for name, attr in (("bos", "bos_id"), ("eos", "eos_id"), ("pad", "pad_id"),
                       ("unk", "unk_id")):
        setattr(t, f"{name}_token_id",
                property(lambda self, a=attr: _none_if_absent(getattr(self, a))))
        setattr(t, f"{name}_token",
                property(lambda self, a=attr: _token_text(self, getattr(self, a))))
    t.all_special_ids = property(lambda self: sorted(_special_ids(self)))
    xval_decode = t.decode

    @functools.wraps(xval_decode)
    def decode_with_skip(self, ids, values=None, skip_special_tokens=None):
        """xval's decode (values: xVal numbers); skip_special_tokens given: transformers'."""
        if skip_special_tokens is None:
            return xval_decode(self, ids, values)
        return decode(self, ids, skip_special_tokens)
    t.decode = decode_with_skip
    from_file = t.from_file
    t.from_file = staticmethod(functools.wraps(from_file)(
        lambda path, *args, **kwargs: from_file(os.fspath(path), *args, **kwargs)))

