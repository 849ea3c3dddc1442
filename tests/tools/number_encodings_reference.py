"""The number encodings' published formulas, reimplemented from their papers' reference code, as
the expected values of tests/python/test_number_encodings.py. Each function cites the file it
follows; none calls xval. (The FoNE repository has no license: this is written from its
formulas, not copied.)

- FoNE: github.com/KevinZhoutianyi/FoNE @ b691943, number_encoders/FNE.py (_get_period_list,
  compute_fourier_embedding, the cos/sin candidate matrix, compute_loss, predict) and train.py
  (the features added to the word embeddings).
- BitTokens: github.com/KreitnerL/BitTokens @ 07db99c,
  networks/number_embedding_modules/bittoken_embedding.py (float64_tensor_to_binary_tensor,
  binary_tensor_to_float64_tensor, combine_embeds "zero_pad") and xVal_embedding.py (the log
  scaling of the xVal baseline).
- Abacus: github.com/mcleish7/arithmetic @ 86022a5, abacus.py (helper) and
  create_data_split.py (--reverse_all).
- Right-to-left commas: github.com/aadityasingh/TokenizationCounts @ 3068ec7, main.py
  (chunk_with_separator).
- NumeroLogic: arXiv 2404.00459 ("42" -> "{2:42}") and github.com/EliSchwartz/NumeroLogic
  train.py ("sin({1.1:0.5})").
"""
import torch

# ------------------------------------------------------------------------------------------
# FoNE


def fone_periods(int_digit_len, frac_digit_len, period_base_list):
    """FNE.py _get_period_list with minvalue=10**(-frac), maxvalue=10**(int+1)-1."""
    minvalue = 10 ** (-frac_digit_len)
    maxvalue = 10 ** (int_digit_len + 1) - 1
    period_list = set()
    current_value = 1.0
    while current_value >= minvalue:
        for base in period_base_list:
            period = current_value * base
            if period <= maxvalue:
                period_list.add(period)
        current_value /= 10
    current_value = 1
    while current_value <= maxvalue:
        for base in period_base_list:
            period = current_value * base
            if period <= maxvalue:
                period_list.add(period)
        current_value *= 10
    return sorted(period_list)


def fone_features(numbers, periods, embedding_dim):
    """FNE.py compute_fourier_embedding, then the mask of the number 0: float32 (n, dim)."""
    period_tensor = torch.tensor(periods, dtype=torch.float64)
    frequencies = 2 * torch.pi / period_tensor
    numbers = torch.as_tensor(numbers, dtype=torch.float64)
    cos_values = torch.cos(numbers.unsqueeze(1) * frequencies)
    sin_values = torch.sin(numbers.unsqueeze(1) * frequencies)
    interleaved = torch.stack((cos_values, sin_values), dim=-1).view(len(numbers), -1)
    result = torch.zeros((len(numbers), embedding_dim), dtype=torch.float32)
    result[:, :interleaved.shape[1]] = interleaved
    return result * (numbers != 0).unsqueeze(-1)


def fone_candidates(period_base_list):
    """FNE.py _create_precomputed_cos_sin_matrix(...).T: (2 * bases, 10) float32."""
    base_positions = torch.arange(10)
    rows = []
    for period in period_base_list:
        w = 2 * torch.pi / period
        rows.append(torch.cos(w * base_positions))
        rows.append(torch.sin(w * base_positions))
    return torch.stack(rows, dim=1).T


def fone_predict(normalized, int_digit_len, frac_digit_len, period_base_list):
    """FNE.py predict after the layer norm: float64 (n,) numbers."""
    m = fone_candidates(period_base_list)
    per_digit = m.shape[0]
    predicted = torch.zeros(normalized.shape[0], dtype=torch.float64)
    for i in range(frac_digit_len):
        s = normalized[:, i * per_digit:(i + 1) * per_digit]
        d = torch.argmax(torch.matmul(s, m), dim=1).to(torch.float64)
        predicted += d * (10 ** -(frac_digit_len - i))
    for j in range(int_digit_len):
        start = (frac_digit_len + j) * per_digit
        s = normalized[:, start:start + per_digit]
        d = torch.argmax(torch.matmul(s, m), dim=1).to(torch.float64)
        predicted += d * (10 ** j)
    return predicted


def fone_loss(normalized, label, int_digit_len, frac_digit_len, period_base_list):
    """FNE.py compute_loss after the layer norm (len_gen 0): the mean cross-entropy per digit."""
    m = fone_candidates(period_base_list)
    num_digits = int_digit_len + frac_digit_len
    per_digit = m.shape[0]
    s = normalized[..., :num_digits * per_digit].view(-1, num_digits, per_digit)
    logits = torch.matmul(s, m)
    powers_of_ten = torch.pow(10, torch.arange(num_digits)).long()
    scaled = torch.round(label * (10 ** frac_digit_len)).long()
    digit_labels = (scaled.unsqueeze(1) // powers_of_ten) % 10
    loss = torch.nn.functional.cross_entropy(logits.view(-1, 10), digit_labels.view(-1),
                                             reduction="none")
    return loss.sum() / loss.size(0)


# ------------------------------------------------------------------------------------------
# BitTokens

_SHIFTS = torch.arange(63, -1, -1, dtype=torch.int64)


def bittoken_bits(x, add_reciprocal):
    """bittoken_embedding.py forward: int64 0/1 (n, 64 or 128), sign bit first."""
    x = torch.as_tensor(x, dtype=torch.float64)
    bits = (x.view(torch.int64).unsqueeze(-1) >> _SHIFTS) & 1
    if add_reciprocal:
        bits = torch.cat([bits, (x.reciprocal().view(torch.int64).unsqueeze(-1) >> _SHIFTS) & 1],
                         dim=-1)
    return bits


def bittoken_decode(bits):
    """binary_tensor_to_float64_tensor: 0/1 (n, 64) -> float64 (n,)."""
    weights = torch.ones(64, dtype=torch.int64) << _SHIFTS
    return (bits.to(torch.int64) * weights).sum(-1).to(torch.int64).view(torch.float64)


def bittoken_zero_pad(bits, n_embed):
    """combine_embeds "zero_pad": the [NUM] row is pad(e * sqrt(n_embed / features), 0)."""
    e = bits.to(torch.float32) * 2 - 1
    scale = (n_embed / bits.shape[-1]) ** 0.5
    return torch.nn.functional.pad(e * scale, (0, n_embed - bits.shape[-1]), value=0.0)


def xval_log_scaling(x, max_num=1e15, min_num=1e-14):
    """xVal_embedding.py (scaling="log"): encode, and its inverse."""
    x = torch.as_tensor(x, dtype=torch.float64)
    scaling_factor = (5 / 2) / torch.log10(torch.tensor(max_num, dtype=torch.float64))
    x = x.clamp(-max_num, max_num)
    return torch.where(x.abs() >= min_num,
                       (scaling_factor * torch.log10(x.abs() + min_num) + (5 / 2)) * torch.sign(x),
                       0)


# ------------------------------------------------------------------------------------------
# Abacus and the text formats


def abacus_helper(mask):
    """abacus.py helper: (batch, tokens) bool digit mask -> positions 1, 2, ... per run."""
    shifted_mask = torch.cat([torch.zeros((mask.shape[0], 1), dtype=mask.dtype), mask[:, :-1]],
                             dim=1)
    starts = (shifted_mask != mask) & mask
    segment_ids = torch.cumsum(starts, dim=1)
    index = torch.arange(mask.size(1)).repeat(mask.size(0), 1)
    reset_index = torch.zeros_like(mask).long()
    second_term = index * starts.long()
    reset_index = reset_index.scatter_add(1, segment_ids, second_term)
    positions = index - reset_index.gather(1, segment_ids) + 1
    return positions * mask


def abacus_reverse_all(num1, num2, operation, result):
    """create_data_split.py with --reverse_all."""
    return f"{str(num1)[::-1]}{operation}{str(num2)[::-1]}={str(result)[::-1]}"


def chunk_with_separator(string, chunk_size=3, separator='', direction='l2r'):
    """TokenizationCounts main.py, verbatim in behaviour."""
    if direction == 'l2r':
        chunks = [string[i:i + chunk_size] for i in range(0, len(string), chunk_size)]
        return separator.join(chunks)
    return chunk_with_separator(string[::-1], chunk_size=chunk_size, separator=separator[::-1],
                                direction='l2r')[::-1]


def numerologic(number_text):
    """NumeroLogic's "{I:digits}" / "{I.F:digits}" for an unsigned decimal's text."""
    integer, _, fraction = number_text.partition(".")
    count = f"{len(integer)}.{len(fraction)}" if fraction else f"{len(integer)}"
    return "{" + count + ":" + number_text + "}"
