"""xval: numeric-aware tokenization and embedding.

    >>> import xval
    >>> tok = xval.Tokenizer.from_file("../shared/data/tokenizers/llama2/tokenizer.model")
    >>> enc = tok.encode("x = 1,234.5")
    >>> enc.ids, enc.values, enc.offsets           # numpy views, no copies
    >>> batch = tok.encode_batch(["a 1", "b 22"], return_tensors="np")
    >>> tok.decode(enc.ids)
    'x = 1,234.5'

Errors: a bad argument raises ValueError, a missing file FileNotFoundError, an id outside the
vocabulary IndexError, anything else RuntimeError.
"""
from ._xval import Encoding, Model, Tokenizer, cuda_available, embed, embed_backward

__all__ = ["Encoding", "Model", "Tokenizer", "cuda_available", "embed", "embed_backward"]
__version__ = "0.1.0"
