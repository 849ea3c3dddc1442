"""xval: numeric-aware tokenization and embedding.

    >>> import xval
    >>> tok = xval.Tokenizer.from_file("../shared/data/tokenizers/llama2/tokenizer.model")
    >>> enc = tok.encode("x = 1,234.5")
    >>> enc.ids, enc.values, enc.offsets           # numpy views, no copies
    >>> batch = tok.encode_batch(["a 1", "b 22"], padding=True, return_tensors="np")
    >>> tok.decode(enc.ids)
    'x = 1,234.5'

Errors: a bad argument raises ValueError, a missing file FileNotFoundError, an id outside the
vocabulary IndexError, anything else RuntimeError.
"""
import numpy as np

from . import _xval
from ._xval import Encoding, Model, Tokenizer, cuda_available

__all__ = ["Encoding", "Model", "Tokenizer", "cuda_available", "embed", "embed_backward"]
__version__ = "0.1.0"


def _host_array(x, what):
    """A numpy view of x: numpy arrays as they are, anything with __dlpack__ (torch, jax, cupy
    on the CPU) without a copy. Returns (array, dtype name for the kernels, is_torch)."""
    if x is None or isinstance(x, np.ndarray):
        return x, "", False
    is_torch = type(x).__module__.startswith("torch")
    if hasattr(x, "__dlpack_device__") and x.__dlpack_device__()[0] != 1:  # 1: kDLCPU
        raise ValueError(f"{what} is not in host memory: the kernels here run on the CPU "
                         "(the CUDA kernels are reached from C++: xval::kernels::EmbedCuda)")
    if is_torch and str(x.dtype) == "torch.bfloat16":
        import torch
        return np.from_dlpack(x.contiguous().view(torch.int16)).view(np.uint16), "bf16", True
    if hasattr(x, "__dlpack__"):
        return np.from_dlpack(x), "", is_torch
    return np.asarray(x), "", False


def embed(table, ids, values=None, *, dtype="", threads=0):
    """out[t] = table[ids[t]] * values[t] (a plain lookup without values), float32 [tokens, hidden].

    table [vocab, hidden]: float32, float16, or bfloat16 (a torch bfloat16 tensor, or uint16
    bits with dtype="bf16"); ids [tokens]; values [tokens]. A float64 table runs the float64
    kernels and gives float64 (values read in float64). numpy arrays, or CPU tensors of any
    DLPack framework (read without copies; the result is a torch tensor when the table is one).
    """
    table, table_dtype, is_torch = _host_array(table, "table")
    ids, _, _ = _host_array(ids, "ids")
    values, _, _ = _host_array(values, "values")
    out = _xval.embed(table, ids.astype(np.int32, copy=False), values,
                      dtype=dtype or table_dtype, threads=threads)
    if is_torch:
        import torch
        return torch.from_numpy(out)
    return out


def embed_backward(table, ids, values, d_out, *, dtype="", threads=0):
    """The gradients of embed: (d_table float32 [vocab, hidden], d_values float32 [tokens] or
    None; float64 for a float64 table). Repeated ids are summed in token order (the same result
    for any thread count)."""
    table, table_dtype, is_torch = _host_array(table, "table")
    ids, _, _ = _host_array(ids, "ids")
    values, _, _ = _host_array(values, "values")
    d_out, _, _ = _host_array(d_out, "d_out")
    d_table, d_values = _xval.embed_backward(table, ids.astype(np.int32, copy=False), values,
                                             d_out, dtype=dtype or table_dtype, threads=threads)
    if is_torch:
        import torch
        return torch.from_numpy(d_table), None if d_values is None else torch.from_numpy(d_values)
    return d_table, d_values
