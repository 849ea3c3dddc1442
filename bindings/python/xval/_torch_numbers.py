"""PyTorch modules for the number encodings beyond xVal (re-exported by xval.torch).

Each follows its paper's reference code (cited per class); the features come from xval's C++
kernels (include/xval/number_encodings.h), computed on the CPU from float64 values and moved to
the module's device. Values are float64 tensors of the tokens' numbers (NumberInfo.values
gathered by number_index, or XvalTokenizer values widened): nothing is rounded before the
encoding sees the number.
"""
import math
import random
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _xval


def _numpy_f64(values: torch.Tensor) -> np.ndarray:
    return values.detach().to("cpu", torch.float64).contiguous().reshape(-1).numpy()


def _number_values(ids: torch.Tensor, values: torch.Tensor, num_id: int) -> torch.Tensor:
    """The values at [NUM] tokens and 0 elsewhere, float64 (FoNE's number_scatter)."""
    values = values.to(device=ids.device, dtype=torch.float64)
    return torch.where(ids == num_id, values, torch.zeros_like(values))


class FoneEmbedding(nn.Module):
    """FoNE (Zhou et al. 2025; KevinZhoutianyi/FoNE, number_encoders/FNE.py and train.py): the
    token embedding plus, at each [NUM] token, the number's Fourier features
    [cos(2 pi x / T_j), sin(2 pi x / T_j)] per period T_j (least significant digit first),
    zero-padded to the hidden size; the number 0 adds zeros. add_linear: the reference's
    optional nn.Linear(hidden, hidden) over the features (masked to the [NUM] tokens after it).

    forward(ids (...), values (...) float64) -> (..., hidden).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, num_id: int,
                 integer_digits: int = 5, fraction_digits: int = 5,
                 period_bases: Sequence[float] = (10.0,), add_linear: bool = False,
                 device=None, dtype=None):
        super().__init__()
        self.embedding = nn.Embedding(num_embeddings, embedding_dim, device=device, dtype=dtype)
        self.num_id = num_id
        self.periods = _xval.fone_periods(integer_digits, fraction_digits, list(period_bases))
        if 2 * len(self.periods) > embedding_dim:
            raise ValueError(f"FoNE needs {2 * len(self.periods)} features; the hidden size is "
                             f"{embedding_dim}")
        self.linear = (nn.Linear(embedding_dim, embedding_dim, device=device, dtype=dtype)
                       if add_linear else None)

    def features(self, ids: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """(..., hidden) float32: the FoNE features at [NUM] tokens, zeros elsewhere."""
        numbers = _number_values(ids, values, self.num_id)
        dim = self.embedding.embedding_dim
        out = _xval.fone_features(_numpy_f64(numbers), self.periods, dim)  # (tokens, dim)
        return torch.from_numpy(out).to(ids.device).reshape(*ids.shape, dim)

    def forward(self, ids: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        f = self.features(ids, values).to(self.embedding.weight.dtype)  # (..., hidden)
        if self.linear is not None:
            mask = (_number_values(ids, values, self.num_id) != 0).unsqueeze(-1)
            f = self.linear(f) * mask
        return self.embedding(ids) + f


class FoneHead(nn.Module):
    """FoNE's number head (FNE.py): LayerNorm(hidden, eps 1e-5), then each digit slot's 2 * bases
    features dotted with the 10 candidate digits' (cos, sin): logits (..., slots, 10), least
    significant digit first. loss(): cross-entropy per digit of round(y * 10^F), averaged over
    every digit; decode(): the argmax digits and sum_k d_k 10^(k - F) (xval's C++ decoder).
    Non-negative numbers only, as the reference.
    """

    def __init__(self, hidden_size: int, integer_digits: int = 5, fraction_digits: int = 5,
                 period_bases: Sequence[float] = (10.0,), device=None, dtype=None):
        super().__init__()
        self.integer_digits = integer_digits
        self.fraction_digits = fraction_digits
        self.period_bases = list(period_bases)
        _xval.fone_periods(integer_digits, fraction_digits, self.period_bases)  # the checks
        self.slots = integer_digits + fraction_digits
        if self.slots > 18:  # round(y * 10^F) and the digit targets are int64
            raise ValueError(f"FoneHead reads at most 18 digits, not {self.slots}")
        self.width = 2 * len(self.period_bases)
        if self.slots * self.width > hidden_size:
            raise ValueError(f"FoNE's head reads {self.slots * self.width} features; the hidden "
                             f"size is {hidden_size}")
        self.layer_norm = nn.LayerNorm(hidden_size, eps=1e-5, device=device, dtype=dtype)
        # (2 * bases, 10) float32, the reference's candidate matrix (xval's C++ FoneDigitMatrix).
        self.register_buffer("candidates",
                             torch.from_numpy(_xval.fone_candidates(self.period_bases)),
                             persistent=False)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """hidden (..., hidden) -> digit logits (..., slots, 10)."""
        z = self.layer_norm(hidden)[..., :self.slots * self.width]
        z = z.reshape(*hidden.shape[:-1], self.slots, self.width)  # (..., slots, width)
        return z @ self.candidates.to(z.dtype)

    def digit_targets(self, target: torch.Tensor) -> torch.Tensor:
        """(...) numbers -> (..., slots) int64 digits of round(y * 10^F), least significant first."""
        scaled = torch.round(target.to(torch.float64) * (10 ** self.fraction_digits)).long()
        powers = torch.pow(10, torch.arange(self.slots, device=target.device)).long()
        return (scaled.unsqueeze(-1) // powers) % 10

    def loss(self, hidden: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logits = self(hidden)  # (..., slots, 10)
        labels = self.digit_targets(target)  # (..., slots)
        return F.cross_entropy(logits.reshape(-1, 10), labels.reshape(-1))

    @torch.no_grad()
    def decode(self, hidden: torch.Tensor) -> torch.Tensor:
        """hidden (..., hidden) -> float64 (...) numbers."""
        z = self.layer_norm(hidden).detach().to("cpu", torch.float32)
        flat = z.reshape(-1, z.shape[-1]).contiguous().numpy()
        _, values = _xval.fone_decode(flat, self.integer_digits, self.fraction_digits,
                                      self.period_bases)
        return torch.from_numpy(values).reshape(hidden.shape[:-1]).to(hidden.device)


def bit_features(values: torch.Tensor, reciprocal: bool = False, scale: float = 1.0
                 ) -> torch.Tensor:
    """(...) float64 -> (..., 64 or 128) float32: +-scale per bit, sign bit first (BitTokens)."""
    out = _xval.bittoken_features(_numpy_f64(values), reciprocal, scale)
    return torch.from_numpy(out).to(values.device).reshape(*values.shape, out.shape[-1])


class BitTokenEmbedding(nn.Module):
    """BitTokens (Kreitner et al. 2025; KreitnerL/BitTokens, bittoken_embedding.py with the
    "zero_pad" combination of every published configuration): at each [NUM] token the embedding
    is replaced by the float64's 64 bits as -1/+1 (then 1/x's 64 with `reciprocal`) times
    `scale` (default sqrt(hidden / features)), zero-padded; other tokens keep theirs.

    forward(ids (...), values (...) float64) -> (..., hidden).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, num_id: int,
                 reciprocal: bool = True, scale: Optional[float] = None, device=None, dtype=None):
        super().__init__()
        self.embedding = nn.Embedding(num_embeddings, embedding_dim, device=device, dtype=dtype)
        self.num_id = num_id
        self.reciprocal = reciprocal
        width = 128 if reciprocal else 64
        if width > embedding_dim:
            raise ValueError(f"BitTokens needs {width} features; the hidden size is {embedding_dim}")
        self.scale = math.sqrt(embedding_dim / width) if scale is None else scale

    def forward(self, ids: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        emb = self.embedding(ids)  # (..., hidden)
        bits = bit_features(values.to(torch.float64), self.reciprocal, self.scale)
        padded = F.pad(bits.to(emb.dtype), (0, emb.shape[-1] - bits.shape[-1]))
        return torch.where((ids == self.num_id).unsqueeze(-1), padded, emb)


class BitTokenHead(nn.Module):
    """BitTokens' number head: Linear(hidden, 64) bit logits; loss() is BCE with logits against
    the target's 64 bits, averaged over bits and numbers; decode() sets the bits whose logit is
    > 0 and reads them as a float64 (xval's C++ decoder)."""

    def __init__(self, hidden_size: int, device=None, dtype=None):
        super().__init__()
        self.linear = nn.Linear(hidden_size, 64, device=device, dtype=dtype)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.linear(hidden)  # (..., 64)

    def loss(self, hidden: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        bits = (bit_features(target.to(torch.float64)) > 0).to(hidden.dtype)  # (..., 64) 0/1
        return F.binary_cross_entropy_with_logits(self(hidden), bits)

    @torch.no_grad()
    def decode(self, hidden: torch.Tensor) -> torch.Tensor:
        logits = self(hidden).detach().to("cpu", torch.float32)
        flat = logits.reshape(-1, 64).contiguous().numpy()
        return torch.from_numpy(_xval.bittoken_decode(flat)).reshape(hidden.shape[:-1])


def abacus_positions(ids: torch.Tensor, digit_ids: Sequence[int], offset: int = 0
                     ) -> torch.Tensor:
    """Abacus position ids (..., tokens): 1 + offset, 2 + offset, ... along each run of digit
    tokens of each row, 0 elsewhere (mcleish7/arithmetic, abacus.py)."""
    flat = ids.detach().to("cpu", torch.int32).reshape(-1, ids.shape[-1])
    digits = np.asarray(list(digit_ids), dtype=np.int32)
    rows = [_xval.abacus_positions(row.numpy(), digits, offset) for row in flat]
    out = np.stack(rows) if rows else np.zeros(flat.shape, np.int32)
    return torch.from_numpy(out).to(torch.long).reshape(ids.shape).to(ids.device)


class AbacusEmbedding(nn.Module):
    """Abacus positional embeddings (McLeish et al. 2024): nn.Embedding(max_positions, hidden)
    of position ids (abacus_positions, or NumberInfo.place for units = 1 without reversing the
    text); in training one offset k in [0, max_k] is drawn per call and added to every nonzero
    id, as the reference does. Row 0 (non-digit tokens) is an ordinary learned row."""

    def __init__(self, max_positions: int, embedding_dim: int, max_k: int = 99,
                 device=None, dtype=None):
        super().__init__()
        self.embedding = nn.Embedding(max_positions, embedding_dim, device=device, dtype=dtype)
        self.max_k = max_k

    def forward(self, positions: torch.Tensor) -> torch.Tensor:
        positions = positions.long()
        if self.training and self.max_k > 0:
            k = random.randint(0, self.max_k)
            positions = torch.where(positions > 0, positions + k, positions)
        if positions.numel() and int(positions.max()) >= self.embedding.num_embeddings:
            raise IndexError(f"Abacus position {int(positions.max())} is past the table of "
                             f"{self.embedding.num_embeddings} rows")
        return self.embedding(positions)


def number_token_values(tokenizer, digit_level: bool = True, vocab_size: Optional[int] = None
                        ) -> torch.Tensor:
    """The Number Token Loss' value table (ntloss' setup_number_tokens): float32 [vocab], the
    value of each vocabulary string (get_vocab(), as Hugging Face writes it) that float() reads
    as a finite number, NaN for the others; digit_level keeps only the ten strings "0".."9".
    Works with an xval.Tokenizer or a transformers tokenizer, and leaves it unchanged."""
    vocab = tokenizer.get_vocab()
    size = vocab_size if vocab_size is not None else (
        tokenizer.vocab_size if isinstance(tokenizer, _xval.Tokenizer) else len(tokenizer))
    values = torch.full((size,), float("nan"))
    for token, i in vocab.items():
        try:
            v = float(token)
        except ValueError:
            continue
        if not math.isfinite(v) or i >= size:
            continue
        if digit_level and not (token.isascii() and len(token) == 1 and -1 <= v <= 9):
            continue
        values[i] = v
    return values


class NumberTokenLoss(nn.Module):
    """The Number Token Loss (Zausinger et al. 2025), as the ntloss package (0.3.2) computes it:
    at positions whose label is a number token, p = softmax of the logits over the number tokens
    only, and
      kind "was": sum_j p_j |v_j - y| (NTL-WAS, the Wasserstein-1 distance on the value axis),
      kind "mse": (sum_j p_j v_j - y)^2 (NTL-MSE);
    with reweigh, L * m + 1.01 * max_dist * (1 - m), m the whole vocabulary's probability on
    number tokens. Labels equal to ignore_index and labels that are no number token are skipped;
    "mean" is the loss_weights-weighted mean over the number positions. No shift inside: pass
    logits[:, :-1] with labels[:, 1:] for a causal model.

    forward(logits (batch, tokens, vocab), labels (batch, tokens) int64) -> scalar, or
    (batch, tokens) with reduction "none".
    """

    def __init__(self, number_values: torch.Tensor, kind: str = "was", reweigh: bool = True):
        super().__init__()
        if kind not in ("was", "mse"):
            raise ValueError(f"kind must be \"was\" or \"mse\", not {kind!r}")
        is_number = ~torch.isnan(number_values)
        if not bool(is_number.any()):
            raise ValueError("the vocabulary has no number token")
        self.kind = kind
        self.reweigh = reweigh
        self.register_buffer("values", number_values.to(torch.float32), persistent=False)
        self.register_buffer("number_ids", torch.nonzero(is_number).squeeze(-1),
                             persistent=False)
        dense = number_values[is_number]
        spread = dense.max() - dense.min()
        self.max_dist = float(spread if kind == "was" else spread * spread)

    def forward(self, logits: torch.Tensor, labels: torch.Tensor,
                loss_weights: Optional[torch.Tensor] = None, reduction: str = "mean",
                ignore_index: int = -100) -> torch.Tensor:
        if logits.dim() != 3 or labels.shape != logits.shape[:-1]:
            raise ValueError("logits must be (batch, tokens, vocab) and labels (batch, tokens)")
        if logits.shape[-1] != self.values.shape[0]:
            raise ValueError(f"logits have {logits.shape[-1]} classes; the value table has "
                             f"{self.values.shape[0]}")
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        valid = (labels != ignore_index) & (labels >= 0) & (labels < self.values.shape[0])
        y = torch.full(labels.shape, float("nan"), device=logits.device)
        y[valid] = self.values.to(logits.device)[labels[valid]]
        positions = ~torch.isnan(y)  # (batch, tokens)
        weights = (loss_weights[positions] if loss_weights is not None
                   else torch.ones(int(positions.sum()), device=logits.device)).to(logits.dtype)
        if not bool(positions.any()) or not bool(weights.any()):
            return (torch.zeros(labels.shape, dtype=logits.dtype, device=logits.device)
                    if reduction == "none" else torch.zeros((), dtype=logits.dtype,
                                                            device=logits.device))
        number_ids = self.number_ids.to(logits.device)
        chosen = logits[positions]  # (K, vocab)
        p = F.softmax(chosen.index_select(-1, number_ids), dim=-1)  # (K, numbers)
        v = self.values.to(logits.device, logits.dtype).index_select(0, number_ids)
        target = y[positions].to(logits.dtype)  # (K,)
        if self.kind == "was":
            loss = (p * (v.unsqueeze(0) - target.unsqueeze(-1)).abs()).sum(-1)
        else:
            loss = ((p * v).sum(-1) - target) ** 2
        if self.reweigh:
            mass = F.softmax(chosen, dim=-1).index_select(-1, number_ids).sum(-1)
            loss = loss * mass + 1.01 * self.max_dist * (1 - mass)
        if reduction == "mean":
            return torch.dot(loss, weights) / weights.sum().clamp_min(
                torch.finfo(loss.dtype).eps)
        if reduction == "sum":
            return torch.dot(loss, weights)
        out = torch.zeros(labels.shape, dtype=loss.dtype, device=logits.device)
        out[positions] = loss * weights
        return out


__all__ = ["FoneEmbedding", "FoneHead", "BitTokenEmbedding", "BitTokenHead", "bit_features",
           "AbacusEmbedding", "abacus_positions", "number_token_values", "NumberTokenLoss"]
