"""xval: numeric-aware tokenization and embedding.

    >>> import xval
    >>> tok = xval.Tokenizer.from_file("../shared/data/tokenizers/llama2/tokenizer.model")
    >>> enc = tok.encode("x = 1,234.5")
    >>> enc.ids, enc.values, enc.offsets           # numpy views, no copies
    >>> batch = tok.encode_batch(["a 1", "b 22"], padding=True, return_tensors="np", pad_id=0)
    >>> tok.decode(enc.ids)
    'x = 1,234.5'

Errors, one table for every call (bindings/python/src/status.h):

    ValueError         a bad value: a malformed file (named, with the field), an unsupported
                       feature (named), an option the vocabulary cannot satisfy (add_bos
                       without a BOS token)
    FileNotFoundError  a file that does not exist
    KeyError           a piece or token that is not in the vocabulary (token_to_id)
    IndexError         an id outside the vocabulary (or outside int32)
    TypeError          an argument of the wrong type (a str where a list of texts is expected,
                       a list of str where ids are expected)
    RuntimeError       anything else (no CUDA device, a model without a number head asked
                       for a number)

Thread safety: a Tokenizer, a Model and the embedding functions may be used from any number of
threads at once; batch calls release the GIL and share one pool of worker threads. A
DecodeStream holds one sequence's state: one thread at a time.
"""
import numpy as np

from . import _xval
from ._xval import (DecodeStream, Encoding, Model, NumberInfo, Tokenizer, cuda_available,
                    restore_numbers, rewrite_numbers)
# The number encodings beyond xVal on numpy arrays (xval.torch's modules use them).
from ._xval import (abacus_positions, bittoken_decode, bittoken_features, embed_bittokens,
                    embed_fone, fone_candidates, fone_decode, fone_features,
                    fone_periods)
from . import _hf

_hf._attach()  # Hugging Face's calls on Tokenizer: from_pretrained, __call__, batch_decode, ...

__all__ = ["DecodeStream", "Encoding", "Model", "NumberInfo", "Tokenizer", "cuda_available", "embed", "embed_backward",
           "restore_numbers", "rewrite_numbers", "abacus_positions", "bittoken_decode",
           "bittoken_features", "embed_bittokens", "embed_fone", "fone_candidates", "fone_decode", "fone_features",
           "fone_periods"]
__version__ = _xval.__version__  # the C++ library's (project() in CMakeLists.txt)


def _host_array(x, what):
    """A numpy view of x: numpy arrays as they are, anything with __dlpack__ (torch, jax, cupy
    on the CPU) without a copy. Returns (array, dtype name for the kernels, is_torch)."""
    if x is None or isinstance(x, np.ndarray):
        return x, "", False
    is_torch = type(x).__module__.startswith("torch")
    if hasattr(x, "__dlpack_device__") and x.__dlpack_device__()[0] != 1:  # 1: kDLCPU
        raise ValueError(f"{what} is not in host memory (torch CUDA tensors are taken when the "
                         "table is one too)")
    if is_torch and str(x.dtype) == "torch.bfloat16":
        import torch
        return np.from_dlpack(x.contiguous().view(torch.int16)).view(np.uint16), "bf16", True
    if hasattr(x, "__dlpack__"):
        return np.from_dlpack(x), "", is_torch
    return np.asarray(x), "", False


def _on_cuda(table):
    return type(table).__module__.startswith("torch") and table.device.type == "cuda"


def _capsules(stream, *tensors):
    """DLPack capsules of torch CUDA tensors for the kernels on `stream` (DLPack spells the
    legacy default stream 1, CUDA spells it 0)."""
    return [None if t is None else t.__dlpack__(stream=stream or 1) for t in tensors]


def _embed_cuda(table, ids, values):
    """embed for a torch CUDA table: every tensor on its device, the CUDA kernels on torch's
    current stream, the result a torch tensor there."""
    import torch
    if not cuda_available():
        raise RuntimeError("this build of xval has no CUDA kernels, or no GPU is present")
    device = table.device
    ids = ids.to(device=device, dtype=torch.int32).contiguous()  # (tokens,)
    if values is not None:
        values = values.to(device=device, dtype=torch.float32).contiguous()  # (tokens,)
    out = torch.empty((ids.numel(), table.shape[1]), dtype=torch.float32, device=device)
    with torch.cuda.device(device):
        stream = torch.cuda.current_stream(device).cuda_stream
        _xval.embed_dlpack(*_capsules(stream, table, ids, values, out), stream=stream)
    return out


def _embed_backward_cuda(table, ids, values, d_out):
    import torch
    if not cuda_available():
        raise RuntimeError("this build of xval has no CUDA kernels, or no GPU is present")
    device = table.device
    ids = ids.to(device=device, dtype=torch.int32).contiguous()
    if values is not None:
        values = values.to(device=device, dtype=torch.float32).contiguous()
    d_out = d_out.to(device=device, dtype=torch.float32).contiguous()  # (tokens, hidden)
    d_table = torch.zeros(table.shape, dtype=torch.float32, device=device)  # (vocab, hidden)
    d_values = None if values is None else torch.empty_like(values)  # (tokens,)
    with torch.cuda.device(device):
        stream = torch.cuda.current_stream(device).cuda_stream
        _xval.embed_backward_dlpack(*_capsules(stream, table, ids, values, d_out, d_table,
                                               d_values), stream=stream)
    return d_table, d_values


def embed(table, ids, values=None, *, dtype="", threads=0):
    """out[t] = table[ids[t]] * values[t] (a plain lookup without values), float32 [tokens, hidden].

    table [vocab, hidden]: float32, float16, or bfloat16 (a torch bfloat16 tensor, or uint16
    bits with dtype="bf16"); ids [tokens]; values [tokens]. A float64 table runs the float64
    kernels and gives float64 (values read in float64). numpy arrays, or CPU tensors of any
    DLPack framework (read without copies; the result is a torch tensor when the table is one).
    A torch table on a CUDA device runs the CUDA kernels there, on torch's current stream,
    through DLPack (float32, float16 or bfloat16 tables).
    """
    if _on_cuda(table):
        return _embed_cuda(table, ids, values)
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
    if _on_cuda(table):
        return _embed_backward_cuda(table, ids, values, d_out)
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
