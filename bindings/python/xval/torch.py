"""PyTorch modules over xval's kernels: XValEmbedding and NumberHead.

XValEmbedding computes embedding(ids) * values (xVal's input: every [NUM] token's embedding is
scaled by its number) with xval's fused kernel forward and backward, through a custom autograd
function. The kernels run on CPU tensors in float32, or in float64 (module.double()) for
torch.autograd.gradcheck and double-precision training, and on CUDA tensors in float32 (the
CUDA kernels, through DLPack, on torch's current stream).
"""
import numpy as np
import torch
from torch import nn

import xval

from . import _xval


class _XValEmbeddingFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, weight, ids, values):
        # weight: (vocab, hidden) float32 or float64; ids: (tokens,) integer; values: (tokens,)
        # float, computed in the weight's dtype. On a GPU: float32, the CUDA kernels.
        ctx.save_for_backward(weight, ids, values)
        if weight.is_cuda:
            return xval.embed(weight.detach(), ids, values.detach())
        table = weight.detach().contiguous().numpy()
        ids32 = ids.detach().to(torch.int32).contiguous().numpy()
        vals = values.detach().to(weight.dtype).contiguous().numpy()
        out = _xval.embed(table, ids32, vals)  # (tokens, hidden), weight's dtype
        return torch.from_numpy(out)

    @staticmethod
    def backward(ctx, d_out):
        # d_out: (tokens, hidden) -> d_weight (vocab, hidden), d_values (tokens,)
        weight, ids, values = ctx.saved_tensors
        if weight.is_cuda:
            d_weight, d_vals = xval.embed_backward(weight.detach(), ids, values.detach(), d_out)
            return (d_weight if ctx.needs_input_grad[0] else None, None,
                    d_vals.to(values.dtype) if ctx.needs_input_grad[2] else None)
        d_table, d_values = _xval.embed_backward(
            weight.detach().contiguous().numpy(),
            ids.detach().to(torch.int32).contiguous().numpy(),
            values.detach().to(weight.dtype).contiguous().numpy(),
            d_out.detach().to(weight.dtype).contiguous().numpy())
        d_weight = torch.from_numpy(d_table) if ctx.needs_input_grad[0] else None
        d_vals = torch.from_numpy(d_values).to(values.dtype) if ctx.needs_input_grad[2] else None
        return d_weight, None, d_vals


class XValEmbedding(nn.Module):
    """Token embedding scaled by per-token values: out[..., t, :] = weight[ids[..., t]] * values.

    forward(ids, values=None): ids (..., tokens) integer, values (..., tokens) float (1.0 where
    None); returns (..., tokens, hidden) in the weight's dtype: float32, or float64 after
    .double().
    """

    def __init__(self, num_embeddings: int, embedding_dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_embeddings, embedding_dim))  # (vocab, hidden)
        nn.init.normal_(self.weight)

    def forward(self, ids: torch.Tensor, values: torch.Tensor = None) -> torch.Tensor:
        if values is None:
            values = torch.ones(ids.shape, dtype=self.weight.dtype, device=ids.device)
        if self.weight.is_cuda:
            if self.weight.dtype != torch.float32:
                raise ValueError("XValEmbedding on a GPU runs in float32")
        elif self.weight.dtype not in (torch.float32, torch.float64):
            raise ValueError("XValEmbedding on the CPU runs in float32 or float64")
        shape = ids.shape
        out = _XValEmbeddingFunction.apply(self.weight, ids.reshape(-1), values.reshape(-1))
        return out.reshape(*shape, self.embedding_dim)

    @property
    def embedding_dim(self) -> int:
        return self.weight.shape[1]


class NumberHead(nn.Module):
    """Reads a number back out of a hidden state: the xVal paper's two-layer MLP
    (Linear(hidden, ff) -> GELU -> Linear(ff, 1)), or one Linear(hidden, 1) when ff is None.

    forward(hidden): (..., hidden) -> (...,) the predicted (transformed) value.
    """

    def __init__(self, hidden_size: int, ff_size: int = None):
        super().__init__()
        if ff_size is None:
            self.net = nn.Linear(hidden_size, 1)
        else:
            self.net = nn.Sequential(nn.Linear(hidden_size, ff_size), nn.GELU(),
                                     nn.Linear(ff_size, 1))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.net(hidden).squeeze(-1)


__all__ = ["XValEmbedding", "NumberHead"]
