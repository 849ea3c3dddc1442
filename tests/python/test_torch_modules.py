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


def test_dlpack_capsules_on_the_cpu():
    # The DLPack entry points that CUDA tensors go through, exercised on host tensors: the
    # capsules' shapes, strides, dtypes and offsets are read as the kernels need them.
    import xval
    from xval import _xval
    torch.manual_seed(3)
    table = torch.randn(12, 10)
    ids = torch.tensor([3, 3, 11, 0, 7], dtype=torch.int32)
    values = torch.randn(5)
    out = torch.empty(5, 10)
    _xval.embed_dlpack(table.__dlpack__(), ids.__dlpack__(), values.__dlpack__(),
                       out.__dlpack__())
    torch.testing.assert_close(out, table[ids.long()] * values[:, None], rtol=0, atol=0)
    # A row slice of a wider table (row stride 10, byte offset), bf16, no values.
    wide = torch.randn(14, 16).to(torch.bfloat16)
    view = wide[2:, 3:13]
    out = torch.empty(5, 10)
    _xval.embed_dlpack(view.__dlpack__(), ids.__dlpack__(), None, out.__dlpack__())
    torch.testing.assert_close(out, view[ids.long()].float(), rtol=0, atol=0)
    d_out = torch.randn(5, 10)
    d_table, d_values = torch.zeros(12, 10), torch.empty(5)
    _xval.embed_backward_dlpack(table.__dlpack__(), ids.__dlpack__(), values.__dlpack__(),
                                d_out.__dlpack__(), d_table.__dlpack__(), d_values.__dlpack__())
    want_table, want_values = xval.embed_backward(table, ids, values, d_out)
    torch.testing.assert_close(d_table, want_table, rtol=0, atol=0)
    torch.testing.assert_close(d_values, want_values, rtol=0, atol=0)
    # Bad input: a used capsule, columns that are not contiguous, ids of the wrong type, an id
    # outside the table.
    capsule = table.__dlpack__()
    _xval.embed_dlpack(capsule, ids.__dlpack__(), None, torch.empty(5, 10).__dlpack__())
    with pytest.raises(ValueError, match="DLPack capsule"):
        _xval.embed_dlpack(capsule, ids.__dlpack__(), None, torch.empty(5, 10).__dlpack__())
    with pytest.raises(ValueError, match="contiguous"):
        _xval.embed_dlpack(table.t().__dlpack__(), ids.__dlpack__(), None,
                           torch.empty(5, 12).__dlpack__())
    with pytest.raises(ValueError, match="int32"):
        _xval.embed_dlpack(table.__dlpack__(), ids.long().__dlpack__(), None, out.__dlpack__())
    with pytest.raises(IndexError):
        _xval.embed_dlpack(table.__dlpack__(), torch.tensor([12], dtype=torch.int32).__dlpack__(),
                           None, torch.empty(1, 10).__dlpack__())


cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
def test_xval_embedding_on_cuda_matches_torch():
    import xval
    assert xval.cuda_available(), "torch sees a GPU but xval was built without CUDA kernels"
    torch.manual_seed(4)
    emb = XValEmbedding(50, 24).cuda()
    ids = torch.randint(0, 50, (4, 9), device="cuda")
    ids[0, :5] = 7  # repeated ids
    values = torch.randn(4, 9, device="cuda", requires_grad=True)
    out = emb(ids, values)
    assert out.is_cuda
    weight = emb.weight.detach().clone().requires_grad_()
    ref_values = values.detach().clone().requires_grad_()
    ref = torch.nn.functional.embedding(ids, weight) * ref_values.unsqueeze(-1)
    torch.testing.assert_close(out, ref, rtol=0, atol=0)
    grad = torch.randn(4, 9, 24, device="cuda")
    out.backward(grad)
    ref.backward(grad)
    torch.testing.assert_close(emb.weight.grad, weight.grad, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(values.grad, ref_values.grad, rtol=1e-5, atol=1e-5)
    # bf16 tables through xval.embed directly.
    table = torch.randn(50, 24, device="cuda").to(torch.bfloat16)
    torch.testing.assert_close(xval.embed(table, ids.reshape(-1)),
                               table[ids.reshape(-1)].float(), rtol=0, atol=0)
