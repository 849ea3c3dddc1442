"""Numbers beyond xVal against their references: FoNE, BitTokens, the xVal log scaling and
Abacus against the papers' code reimplemented in tests/tools/number_encodings_reference.py
(cited there), the Number Token Loss against the ntloss package itself, the reversible rewrites
against the papers' formatting code, and the number side data against Python's float()."""
import copy
import random
import sys

import numpy as np
import pytest

import xval
from conftest import DATA, ROOT

torch = pytest.importorskip("torch")
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import number_encodings_reference as ref  # noqa: E402
import xval.torch as xt  # noqa: E402

LLAMA = str(DATA / "tokenizers" / "llama2" / "tokenizer.model")
LLAMA_JSON = str(DATA / "tokenizers" / "llama2" / "tokenizer.json")

EXTREMES = [0.0, -0.0, 1.0, -1.0, 18.0, 16.0, -4096.25, 123.45, 1e-300, 1e300, -1e300,
            5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 3.0e-5,
            99999.99999, 12345.6789, float("inf"), float("-inf")]


@pytest.fixture(scope="module")
def corpus_numbers(corpus):
    """Every number of the first 3,000 corpus lines, as float64 (NumberInfo.values)."""
    tok = xval.Tokenizer.from_file(LLAMA)
    values = []
    for line in corpus[:3000]:
        values.extend(tok.describe_numbers(line).values.tolist())
    assert len(values) > 3000
    return values


def test_number_values_are_pythons_float(corpus):
    tok = xval.Tokenizer.from_file(LLAMA)
    count = 0
    for line in corpus[::7]:
        info = tok.describe_numbers(line)
        raw = line.encode("utf-8")
        for (b, e), v, v32 in zip(info.spans, info.values, info.values32):
            text = raw[b:e].decode("utf-8")
            assert v == float(text) and np.copysign(1, v) == np.copysign(1, float(text)), text
            assert v32 == np.float32(text), text
            count += 1
    assert count > 10000


@pytest.mark.parametrize("digits", [(5, 5, [10.0]), (3, 2, [10.0]), (2, 0, [2.0, 5.0]),
                                    (5, 5, [2.0, 5.0]), (4, 7, [10.0]), (10, 0, [10.0]),
                                    (1, 12, [10.0])])
def test_fone_periods_equal_the_reference(digits):
    i, f, bases = digits
    assert xval.fone_periods(i, f, bases).tolist() == ref.fone_periods(i, f, bases)


@pytest.mark.parametrize("digits", [(5, 5, [10.0]), (3, 2, [2.0, 5.0])])
def test_fone_features_equal_the_reference(digits, corpus_numbers):
    i, f, bases = digits
    periods = xval.fone_periods(i, f, bases)
    values = np.array(EXTREMES[:-2] + corpus_numbers, dtype=np.float64)  # finite values
    dim = 2 * len(periods) + 5
    got = xval.fone_features(values, periods, dim)
    want = ref.fone_features(values, ref.fone_periods(i, f, bases), dim).numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-7)
    assert not got[0].any() and not got[1].any()  # 0 and -0 are masked


def test_fone_embedding_and_fused_kernel():
    torch.manual_seed(1)
    num_id = 7
    emb = xt.FoneEmbedding(8, 32, num_id, integer_digits=5, fraction_digits=5)
    ids = torch.tensor([[1, 7, 2, 7, 7]])
    values = torch.tensor([[0.0, 18.0, 5.0, 0.0, 123.45]], dtype=torch.float64)
    out = emb(ids, values)  # (1, 5, 32)
    features = ref.fone_features(torch.where(ids == num_id, values, 0).reshape(-1),
                                 ref.fone_periods(5, 5, [10.0]), 32)
    want = emb.embedding.weight[ids.reshape(-1)].detach() + features
    torch.testing.assert_close(out.detach().reshape(-1, 32), want, rtol=0, atol=1e-6)
    fused = xval.embed_fone(emb.embedding.weight.detach().numpy(), ids.reshape(-1).numpy(),
                            values.reshape(-1).numpy(), num_id, emb.periods)
    np.testing.assert_array_equal(fused, out.detach().reshape(-1, 32).numpy())


def test_fone_head_loss_and_decode_equal_the_reference():
    torch.manual_seed(2)
    for bases in ([10.0], [2.0, 5.0]):
        head = xt.FoneHead(64, integer_digits=5, fraction_digits=3, period_bases=bases)
        with torch.no_grad():
            head.layer_norm.weight.normal_()
            head.layer_norm.bias.normal_()
        hidden = torch.randn(40, 64)
        labels = torch.tensor([random.Random(k).randrange(10 ** 8) / 1000 for k in range(40)],
                              dtype=torch.float64)
        z = head.layer_norm(hidden)
        torch.testing.assert_close(head.loss(hidden, labels),
                                   ref.fone_loss(z, labels, 5, 3, bases))
        got = head.decode(hidden)
        want = ref.fone_predict(z.detach(), 5, 3, bases)
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_fone_decode_reads_back_clean_digit_features():
    for x in [0.0, 7.0, 12345.6789, 99999.99999, 31.4]:
        digits = xt.FoneHead(20).digit_targets(torch.tensor([x], dtype=torch.float64))[0]
        angle = 2 * torch.pi * digits.double() / 10
        h = torch.stack([torch.cos(angle), torch.sin(angle)], -1).reshape(1, 20).float()
        got_digits, values = xval.fone_decode(h.numpy(), 5, 5, [10.0])
        np.testing.assert_array_equal(got_digits[0], digits.numpy())
        assert values[0] == pytest.approx(x, abs=1e-9)


def test_bittokens_features_and_decode_equal_the_reference(corpus_numbers):
    values = np.array(EXTREMES + [float("nan")] + corpus_numbers, dtype=np.float64)
    for reciprocal in (False, True):
        got = xval.bittoken_features(values, reciprocal, 1.0)
        want = ref.bittoken_bits(values, reciprocal).numpy() * 2 - 1
        np.testing.assert_array_equal(got, want.astype(np.float32))
    bits = ref.bittoken_bits(values, False)
    logits = (bits.double() * 2 - 1) * (torch.rand(bits.shape, dtype=torch.float64) + 0.01)
    decoded = xval.bittoken_decode(logits.float().numpy())
    np.testing.assert_array_equal(decoded.view(np.int64), ref.bittoken_decode(bits).numpy().view(
        np.int64))
    np.testing.assert_array_equal(decoded.view(np.int64), values.view(np.int64))


def test_bittoken_embedding_is_the_zero_pad_combination():
    torch.manual_seed(4)
    emb = xt.BitTokenEmbedding(10, 256, num_id=9)
    ids = torch.tensor([[3, 9, 9, 0]])
    values = torch.tensor([[0, -2.5, 1e-300, 7]], dtype=torch.float64)
    out = emb(ids, values)
    want = emb.embedding(ids).detach().clone()
    for t in (1, 2):
        want[0, t] = ref.bittoken_zero_pad(ref.bittoken_bits(values[0, t:t + 1], True), 256)[0]
    torch.testing.assert_close(out.detach(), want, rtol=0, atol=0)
    fused = xval.embed_bittokens(emb.embedding.weight.detach().numpy(), ids.reshape(-1).numpy(),
                                 values.reshape(-1).numpy(), 9)
    np.testing.assert_array_equal(fused, want.reshape(-1, 256).numpy())
    head = xt.BitTokenHead(256)
    hidden = torch.randn(5, 256)
    target = torch.tensor([1.5, -3, 0, 1e10, 2 ** -30], dtype=torch.float64)
    bits = ref.bittoken_bits(target, False).float()
    torch.testing.assert_close(
        head.loss(hidden, target),
        torch.nn.functional.binary_cross_entropy_with_logits(head(hidden), bits))


def test_xval_log_scaling_equals_the_bittokens_code(corpus_numbers):
    tok = xval.Tokenizer.from_file(LLAMA, numbers="xval", transform="log10")
    text = " ".join(repr(v) for v in corpus_numbers[:2000] + [1e-20, -5e20, 1e15, -0.5])
    enc = tok.encode(text)
    num_values = enc.values[enc.ids == tok.token_to_id("[NUM]")]
    parsed = [v for _, _, v, _ in xval.Tokenizer.from_file(LLAMA, numbers="xval")
              .find_numbers(text)]
    want = ref.xval_log_scaling(torch.tensor(parsed, dtype=torch.float64)).float().numpy()
    np.testing.assert_array_equal(num_values, want)


def test_abacus_positions_equal_the_reference():
    rng = np.random.default_rng(5)
    digit_ids = list(range(4, 14))
    ids = rng.integers(0, 20, size=(6, 50)).astype(np.int32)
    ids[:, :8] = rng.integers(4, 14, size=(6, 8))  # a long run at the start of each row
    want = ref.abacus_helper(torch.from_numpy(np.isin(ids, digit_ids)))
    got = xt.abacus_positions(torch.from_numpy(ids), digit_ids)
    torch.testing.assert_close(got, want.long())
    torch.testing.assert_close(xt.abacus_positions(torch.from_numpy(ids), digit_ids, offset=3),
                               torch.where(want > 0, want + 3, want).long())


def test_number_places_are_abacus_ids_of_the_reversed_text():
    """NumberInfo.place on the text as written equals Abacus' ids on the text with reversed
    digits (the units first), digit for digit, under Llama's single digits."""
    tok = xval.Tokenizer.from_file(LLAMA)
    rng = random.Random(6)
    for _ in range(50):
        a, b = rng.randrange(10 ** rng.randrange(1, 12)), rng.randrange(10 ** rng.randrange(1, 12))
        text = f"{a}+{b}={a + b}"
        reversed_text = xval.rewrite_numbers(text, "reverse")
        assert reversed_text == ref.abacus_reverse_all(a, b, "+", a + b)
        places = tok.encode(text, number_info=True).numbers.place
        enc = tok.encode(reversed_text)
        digit_ids = [tok.token_to_id(str(d)) for d in range(10)]
        abacus = xt.abacus_positions(torch.from_numpy(enc.ids.astype(np.int64)), digit_ids)
        assert sorted(places[places > 0].tolist()) == sorted(abacus[abacus > 0].tolist())
        # Digit by digit: reversed, the k-th digit token of each number has Abacus id k.
        digits_fwd = [p for p in places.tolist() if p > 0]
        digits_rev = [p for p in abacus.tolist() if p > 0]
        numbers_fwd, numbers_rev = _runs(digits_fwd, descending=True), _runs(digits_rev)
        assert [n[::-1] for n in numbers_fwd] == numbers_rev


def _runs(places, descending=False):
    runs, current = [], []
    for p in places:
        if current and ((p >= current[-1]) if descending else (p <= current[-1])):
            runs.append(current)
            current = []
        current.append(p)
    return runs + ([current] if current else [])


@pytest.mark.parametrize("kind", ["was", "mse"])
def test_number_token_loss_equals_ntloss(kind):
    ntloss = pytest.importorskip("ntloss")
    transformers = pytest.importorskip("transformers")
    hf = transformers.PreTrainedTokenizerFast(tokenizer_file=LLAMA_JSON)
    ours_tok = xval.Tokenizer.from_file(LLAMA)
    cls = ntloss.NTLoss if kind == "was" else ntloss.NTLossDotProduct
    for reweigh in (True, False):
        theirs = cls(tokenizer=copy.deepcopy(hf), reweigh=reweigh)
        values = xt.number_token_values(ours_tok)
        torch.testing.assert_close(values, theirs.number_values.float(), equal_nan=True)
        ours = xt.NumberTokenLoss(values, kind=kind, reweigh=reweigh)
        torch.manual_seed(7)
        vocab = values.shape[0]
        logits = torch.randn(3, 9, vocab)
        number_ids = torch.nonzero(~torch.isnan(values)).squeeze(-1)
        logits[..., number_ids] += 6 * torch.rand(3, 9, len(number_ids))  # mass on numbers
        labels = torch.randint(0, vocab, (3, 9))
        labels[:, ::2] = number_ids[torch.randint(0, 10, (3, 5))]
        labels[0, 2] = -100
        weights = torch.rand(3, 9)
        for reduction in ("mean", "sum", "none"):
            for w in (None, weights):
                torch.testing.assert_close(
                    ours(logits, labels, loss_weights=w, reduction=reduction),
                    theirs(logits, labels, loss_weights=w, reduction=reduction),
                    rtol=1e-5, atol=1e-6)
        no_numbers = torch.full((3, 9), 5)
        assert ours(logits, no_numbers).item() == 0 == theirs(logits, no_numbers).item()


def test_number_token_values_beyond_digits():
    ntloss = pytest.importorskip("ntloss")
    transformers = pytest.importorskip("transformers")
    hf = transformers.PreTrainedTokenizerFast(tokenizer_file=LLAMA_JSON)
    theirs = ntloss.NTLoss(tokenizer=copy.deepcopy(hf), digit_level=False)
    ours = xt.number_token_values(xval.Tokenizer.from_file(LLAMA), digit_level=False)
    torch.testing.assert_close(ours, theirs.number_values.float(), equal_nan=True)


def test_rewrites_equal_the_papers_formats():
    rng = random.Random(8)
    for _ in range(300):
        n = rng.randrange(10 ** rng.randrange(1, 16))
        assert xval.rewrite_numbers(str(n), "rtl_commas") == ref.chunk_with_separator(
            str(n), 3, ",", "r2l")
        x = f"{n}.{rng.randrange(1000):03d}" if rng.random() < 0.5 else str(n)
        marked = xval.rewrite_numbers(f"({x})", "numerologic")
        braces = marked.replace("<sn>", "{").replace("<mn>", ":").replace("<en>", "}")
        assert braces == f"({ref.numerologic(x)})"
        a, b = rng.randrange(10 ** 9), rng.randrange(10 ** 9)
        assert xval.rewrite_numbers(f"{a}*{b}={a * b}", "reverse") == ref.abacus_reverse_all(
            a, b, "*", a * b)
    assert xval.rewrite_numbers("sin(0.5)=", "numerologic") == "sin(<sn>1.1<mn>0.5<en>)="


def test_rewrites_round_trip_and_refuse(corpus):
    for rewrite in ("reverse", "rtl_commas", "numerologic"):
        for line in corpus[::11]:
            assert xval.restore_numbers(xval.rewrite_numbers(line, rewrite), rewrite) == line
    with pytest.raises(ValueError, match="digit count"):
        xval.restore_numbers("<sn>3<mn>42<en>", "numerologic")
    with pytest.raises(ValueError, match="rewrite"):
        xval.rewrite_numbers("1", "sideways")


def test_encoding_errors_are_clear():
    with pytest.raises(ValueError, match="FoNE digits"):
        xval.fone_decode(np.zeros((2, 40), np.float32), -3, 5)
    with pytest.raises(ValueError, match="at most 18 digits"):
        xt.FoneHead(256, integer_digits=12, fraction_digits=10)
    with pytest.raises(ValueError, match="num_id"):
        xval.embed_fone(np.zeros((4, 32), np.float32), np.array([1, 2], np.int32),
                        np.array([1.0, 2.0]), 9, xval.fone_periods(3, 2))
    with pytest.raises(ValueError, match="Abacus offset"):
        xval.abacus_positions(np.array([4, 4], np.int32), np.array([4], np.int32), 2 ** 31 - 2)
    # The C library's cosf and torch's float32 cos may differ by one unit in the last place.
    np.testing.assert_allclose(xval.fone_candidates([2.0, 5.0]),
                               ref.fone_candidates([2.0, 5.0]).numpy(), rtol=0, atol=1.2e-7)
