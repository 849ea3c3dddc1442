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


def _module_call(module, ids):
    """module(ids, values) as a function of (weight, values), for gradcheck."""
    return lambda w, v: torch.func.functional_call(module, {"weight": w}, (ids, v))


def test_gradcheck_float64_against_embedding_times_values():
    # XValEmbedding in float64 runs xval's float64 kernels: gradcheck with its default (tight)
    # tolerances, then forward and gradients against torch's own embedding(ids) * values.
    torch.manual_seed(1)
    emb = XValEmbedding(6, 4).double()
    ids = torch.tensor([[0, 3, 3], [5, 1, 3]])  # repeated ids sum in the backward pass
    weight = emb.weight.detach().clone().requires_grad_()  # (6, 4) float64
    values = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    ours = _module_call(emb, ids)

    def reference(w, v):
        return torch.nn.functional.embedding(ids, w) * v.unsqueeze(-1)

    assert torch.autograd.gradcheck(ours, (weight, values))
    out = ours(weight, values)  # (2, 3, 4)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, reference(weight, values), rtol=0, atol=0)
    grad = torch.randn(2, 3, 4, dtype=torch.float64)
    ours_grads = torch.autograd.grad(out, (weight, values), grad)
    ref_grads = torch.autograd.grad(reference(weight, values), (weight, values), grad)
    for got, want in zip(ours_grads, ref_grads):
        torch.testing.assert_close(got, want, rtol=1e-13, atol=1e-13)


def test_gradcheck_float32():
    # The float32 kernels, with tolerances for float32 finite differences.
    torch.manual_seed(1)
    emb = XValEmbedding(6, 4)
    weight = emb.weight.detach().clone().requires_grad_()
    ids = torch.tensor([0, 3, 3, 5, 1])
    values = torch.randn(5, requires_grad=True)
    assert torch.autograd.gradcheck(_module_call(emb, ids), (weight, values),
                                    eps=1e-2, atol=1e-2, rtol=1e-2)


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
