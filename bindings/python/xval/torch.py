"""PyTorch modules over xval's kernels: XValEmbedding and NumberHead, and the encodings beyond
xVal (FoneEmbedding, FoneHead, BitTokenEmbedding, BitTokenHead, AbacusEmbedding,
NumberTokenLoss; see _torch_numbers.py).

XValEmbedding computes embedding(ids) * values (xVal's input: every [NUM] token's embedding is
scaled by its number) with xval's fused kernels forward and backward. The kernels are registered
as torch custom operators (torch.ops.xval.embed and torch.ops.xval.embed_backward) with fake
implementations and autograd, so a model using them compiles with torch.compile(fullgraph=True).

Tables: float32, bfloat16 and float16 on the CPU and on CUDA devices (computed in float32, the
result rounded once to the table's dtype), float64 on the CPU (the float64 kernels, for
torch.autograd.gradcheck and double-precision training).
"""
from typing import Optional, Tuple

import torch
from torch import nn

from . import _xval

_INT32_MAX = 2**31 - 1
_KERNEL_DTYPES = (torch.float32, torch.bfloat16, torch.float16)  # float64: CPU only


def _check_operands(weight: torch.Tensor, ids: torch.Tensor, values: torch.Tensor) -> None:
    if weight.dim() != 2 or ids.dim() != 1 or values.dim() != 1:
        raise ValueError("xval::embed takes weight (vocab, hidden), ids (tokens,), values (tokens,)")
    if ids.shape[0] != values.shape[0]:
        raise ValueError(f"ids has {ids.shape[0]} tokens but values has {values.shape[0]}")
    if ids.dtype.is_floating_point or ids.dtype == torch.bool:
        raise TypeError(f"ids must be an integer tensor, not {ids.dtype}")
    if weight.dtype not in _KERNEL_DTYPES and not (weight.dtype == torch.float64 and
                                                   weight.device.type == "cpu"):
        raise ValueError(f"XValEmbedding tables are float32, bfloat16 or float16 (float64 on the "
                         f"CPU), not {weight.dtype} on {weight.device.type}")


def _ids32(ids: torch.Tensor, vocab: int) -> torch.Tensor:
    """ids as the kernels' int32, refusing what int32 cannot hold (the kernels check the rest)."""
    if ids.dtype != torch.int32 and ids.numel():
        low, high = torch.aminmax(ids)
        if int(low) < 0 or int(high) > _INT32_MAX:
            bad = int(low) if int(low) < 0 else int(high)
            raise IndexError(f"id {bad} is outside the table of {vocab} rows")
    return ids.to(torch.int32).contiguous()


def _capsule(tensor: Optional[torch.Tensor], stream: int):
    if tensor is None:
        return None
    return tensor.__dlpack__(stream=stream or 1) if tensor.is_cuda else tensor.__dlpack__()


def _run(kernel, weight: torch.Tensor, *tensors):
    """Calls a DLPack kernel on torch's current stream (CUDA) or on the CPU."""
    if not weight.is_cuda:
        return kernel(*(_capsule(t, 0) for t in (weight,) + tensors))
    if not _xval.cuda_available():
        raise RuntimeError("this build of xval has no CUDA kernels, or no GPU is present")
    with torch.cuda.device(weight.device):
        stream = torch.cuda.current_stream(weight.device).cuda_stream
        return kernel(*(_capsule(t, stream) for t in (weight,) + tensors), stream=stream)


@torch.library.custom_op("xval::embed", mutates_args=())
def embed(weight: torch.Tensor, ids: torch.Tensor, values: torch.Tensor,
          padding_idx: int = -1) -> torch.Tensor:
    """out[t] = weight[ids[t]] * values[t]: weight (vocab, hidden), ids (tokens,) integer,
    values (tokens,) float -> (tokens, hidden) in weight's dtype. padding_idx (negative: none)
    only matters to the backward pass: its row gets no gradient, as in nn.Embedding."""
    _check_operands(weight, ids, values)
    ids32 = _ids32(ids, weight.shape[0])  # (tokens,) int32
    if weight.dtype == torch.float64:  # the float64 kernels (CPU only), through numpy
        out = _xval.embed(weight.detach().contiguous().numpy(), ids32.numpy(),
                          values.detach().to(torch.float64).contiguous().numpy())
        return torch.from_numpy(out)  # (tokens, hidden) float64
    vals32 = values.detach().to(device=weight.device, dtype=torch.float32).contiguous()
    # The kernels write float32 or bfloat16; a float16 result is rounded from float32.
    out_dtype = torch.bfloat16 if weight.dtype == torch.bfloat16 else torch.float32
    out = torch.empty((ids.shape[0], weight.shape[1]), dtype=out_dtype, device=weight.device)
    _run(_xval.embed_dlpack, weight.detach(), ids32.to(weight.device), vals32, out)
    return out.to(weight.dtype)  # (tokens, hidden)


@embed.register_fake
def _embed_fake(weight, ids, values, padding_idx=-1):
    torch._check(ids.dim() == 1 and values.dim() == 1 and weight.dim() == 2)
    return weight.new_empty((ids.shape[0], weight.shape[1]))


@torch.library.custom_op("xval::embed_backward", mutates_args=())
def embed_backward(weight: torch.Tensor, ids: torch.Tensor, values: torch.Tensor,
                   d_out: torch.Tensor, padding_idx: int, weight_grad: bool,
                   values_grad: bool) -> Tuple[torch.Tensor, torch.Tensor]:
    """The gradients of xval::embed: d_weight (vocab, hidden) in weight's dtype, zero in the
    padding_idx row (shape (0, hidden) when weight_grad is False), and d_values (tokens,) in
    values' dtype (shape (0,) when values_grad is False). Repeated ids are summed in token order
    in float32 (float64 for a float64 table), so results do not depend on the thread count."""
    vocab, hidden = weight.shape
    ids32 = _ids32(ids, vocab)
    if weight.dtype == torch.float64:
        d_table, d_vals = _xval.embed_backward(
            weight.detach().contiguous().numpy(), ids32.numpy(),
            values.detach().to(torch.float64).contiguous().numpy(),
            d_out.detach().to(torch.float64).contiguous().numpy())
        d_weight, d_values = torch.from_numpy(d_table), torch.from_numpy(d_vals)
    else:
        d_weight = torch.zeros((vocab, hidden) if weight_grad else (0, hidden),
                               dtype=torch.float32, device=weight.device)  # accumulated into
        d_values = torch.empty(values.shape if values_grad else (0,), dtype=torch.float32,
                               device=weight.device)
        grad_dtype = torch.bfloat16 if d_out.dtype == torch.bfloat16 else torch.float32
        _run(_xval.embed_backward_dlpack, weight.detach(), ids32.to(weight.device),
             values.detach().to(device=weight.device, dtype=torch.float32).contiguous(),
             d_out.detach().to(grad_dtype).contiguous(), d_weight if weight_grad else None,
             d_values if values_grad else None)
    if not weight_grad:
        d_weight = d_weight[:0]
    elif padding_idx >= 0:
        d_weight[padding_idx] = 0
    if not values_grad:
        d_values = d_values[:0]
    return d_weight.to(weight.dtype), d_values.to(values.dtype)


@embed_backward.register_fake
def _embed_backward_fake(weight, ids, values, d_out, padding_idx, weight_grad, values_grad):
    d_weight = weight.new_empty(weight.shape if weight_grad else (0, weight.shape[1]))
    d_values = values.new_empty(values.shape if values_grad else (0,))
    return d_weight, d_values


def _embed_setup_context(ctx, inputs, output):
    weight, ids, values, padding_idx = inputs
    ctx.save_for_backward(weight, ids, values)
    ctx.padding_idx = padding_idx


def _embed_autograd(ctx, d_out):
    weight, ids, values = ctx.saved_tensors
    weight_grad, values_grad = ctx.needs_input_grad[0], ctx.needs_input_grad[2]
    d_weight, d_values = torch.ops.xval.embed_backward(weight, ids, values, d_out,
                                                       ctx.padding_idx, weight_grad, values_grad)
    return (d_weight if weight_grad else None, None, d_values if values_grad else None, None)


embed.register_autograd(_embed_autograd, setup_context=_embed_setup_context)


class XValEmbedding(nn.Module):
    """Token embedding scaled by per-token values: out[..., t, :] = weight[ids[..., t]] * values,
    with nn.Embedding's constructor and from_pretrained (padding_idx: that row starts at zero and
    gets no gradient).

    forward(ids, values=None): ids (..., tokens) integer, values (..., tokens) float (1.0 where
    None); returns (..., tokens, hidden) in the weight's dtype.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: Optional[int] = None, _weight: Optional[torch.Tensor] = None,
                 _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"padding_idx {padding_idx} is outside the table of "
                                 f"{num_embeddings} rows")
            padding_idx %= num_embeddings
        self.num_embeddings, self.padding_idx = num_embeddings, padding_idx
        if _weight is None:
            weight = torch.empty(num_embeddings, embedding_dim, device=device, dtype=dtype)
            self.weight = nn.Parameter(weight, requires_grad=not _freeze)  # (vocab, hidden)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"_weight has shape {tuple(_weight.shape)}, not "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        nn.init.normal_(self.weight)
        if self.padding_idx is not None:
            with torch.no_grad():
                self.weight[self.padding_idx].fill_(0)

    @classmethod
    def from_pretrained(cls, embeddings: torch.Tensor, freeze: bool = True,
                        padding_idx: Optional[int] = None) -> "XValEmbedding":
        """A module over an existing (vocab, hidden) table, as nn.Embedding.from_pretrained:
        frozen by default; the padding row is kept as given (it gets no gradient)."""
        if embeddings.dim() != 2:
            raise ValueError("embeddings must be 2-D (vocab, hidden)")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze)

    def forward(self, ids: torch.Tensor, values: torch.Tensor = None) -> torch.Tensor:
        if values is None:
            values = torch.ones(ids.shape, dtype=torch.float32, device=ids.device)
        elif values.shape != ids.shape:
            raise ValueError(f"values has shape {tuple(values.shape)} but ids has "
                             f"{tuple(ids.shape)}")
        padding_idx = -1 if self.padding_idx is None else self.padding_idx
        out = torch.ops.xval.embed(self.weight, ids.reshape(-1), values.reshape(-1), padding_idx)
        return out.reshape(*ids.shape, self.embedding_dim)  # (..., tokens, hidden)

    @property
    def embedding_dim(self) -> int:
        return self.weight.shape[1]

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


class NumberHead(nn.Module):
    """Reads a number back out of a hidden state: the xVal paper's two-layer MLP
    (Linear(hidden, ff) -> GELU -> Linear(ff, 1)), or one Linear(hidden, 1) when ff is None.

    forward(hidden): (..., hidden) -> (...,) the predicted (transformed) value.
    """

    def __init__(self, hidden_size: int, ff_size: int = None, device=None, dtype=None):
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        if ff_size is None:
            self.net = nn.Linear(hidden_size, 1, **kw)
        else:
            self.net = nn.Sequential(nn.Linear(hidden_size, ff_size, **kw), nn.GELU(),
                                     nn.Linear(ff_size, 1, **kw))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.net(hidden).squeeze(-1)


# The encodings beyond xVal: FoNE, BitTokens, Abacus and the Number Token Loss.
from ._torch_numbers import (AbacusEmbedding, BitTokenEmbedding, BitTokenHead,  # noqa: E402
                             FoneEmbedding, FoneHead, NumberTokenLoss, abacus_positions,
                             bit_features, number_token_values)
from . import _torch_numbers  # noqa: E402

__all__ = ["XValEmbedding", "NumberHead", "embed", "embed_backward"] + _torch_numbers.__all__
