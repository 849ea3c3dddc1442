"""xval.torch: XValEmbedding's forward and backward (our kernels) against torch's own
embedding(ids) * values, and gradcheck."""
import pytest

torch = pytest.importorskip("torch")
from xval.torch import NumberHead, XValEmbedding  # noqa: E402


def test_matches_torch_embedding_times_values():
    torch.manual_seed(0)
    emb = XValEmbedding(30, 17)
    ids = torch.randint(0, 30, (3, 11))
    ids[0, :4] = 5  # repeated ids
    values = torch.randn(3, 11, requires_grad=True)
    out = emb(ids, values)
    ref_weight = emb.weight.detach().double().requires_grad_()
    ref_values = values.detach().double().requires_grad_()
    ref = torch.nn.functional.embedding(ids, ref_weight) * ref_values.unsqueeze(-1)
    torch.testing.assert_close(out.double(), ref, rtol=1e-6, atol=1e-6)
    grad = torch.randn(3, 11, 17)
    out.backward(grad)
    ref.backward(grad.double())
    torch.testing.assert_close(emb.weight.grad.double(), ref_weight.grad, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(values.grad.double(), ref_values.grad, rtol=1e-5, atol=1e-5)


def test_gradcheck():
    # The kernels compute in float32 (their types are f32, bf16 and f16), so gradcheck runs in
    # float32 with tolerances to match, on a small well-conditioned problem.
    torch.manual_seed(1)
    weight = torch.randn(6, 4, requires_grad=True)
    ids = torch.tensor([0, 3, 3, 5, 1])
    values = torch.randn(5, requires_grad=True)
    from xval.torch import _XValEmbeddingFunction
    assert torch.autograd.gradcheck(lambda w, v: _XValEmbeddingFunction.apply(w, ids, v),
                                    (weight, values), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_number_head_shapes():
    head = NumberHead(8, 16)
    assert head(torch.randn(2, 5, 8)).shape == (2, 5)
    assert NumberHead(8)(torch.randn(7, 8)).shape == (7,)


def test_embed_takes_torch_tensors_without_copies():
    import xval
    torch.manual_seed(2)
    table = torch.randn(20, 8)
    ids = torch.tensor([3, 3, 19, 0])
    values = torch.tensor([1.5, -2.0, 0.25, 1.0])
    out = xval.embed(table, ids, values)
    assert isinstance(out, torch.Tensor)
    torch.testing.assert_close(out, table[ids] * values[:, None])
    bf16 = table.to(torch.bfloat16)
    torch.testing.assert_close(xval.embed(bf16, ids), bf16[ids].float())
    d_table, d_values = xval.embed_backward(table, ids, values, torch.ones(4, 8))
    assert d_table[3].tolist() == pytest.approx([-0.5] * 8)
    if torch.cuda.is_available():
        with pytest.raises(ValueError):
            xval.embed(table.cuda(), ids, values)
