"""xval.torch as torch users build models: the kernels as custom operators (torch.library's
opcheck: schema, fake implementation, autograd registration), torch.compile(fullgraph=True)
against eager, nn.Embedding's padding_idx and from_pretrained, bf16 and fp16 tables."""
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from xval.torch import NumberHead, XValEmbedding  # noqa: E402


class TinyXValModel(nn.Module):
    """xVal's input and output: [NUM] embeddings scaled by values, a layer, a number head."""

    def __init__(self, vocab=40, hidden=16):
        super().__init__()
        self.embed = XValEmbedding(vocab, hidden, padding_idx=0)
        self.mix = nn.Linear(hidden, hidden)
        self.head = NumberHead(hidden, 32)

    def forward(self, ids, values):
        hidden = torch.tanh(self.mix(self.embed(ids, values)))  # (batch, tokens, hidden)
        return self.head(hidden)  # (batch, tokens)


def _inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, 40, (3, 7), generator=g)
    ids[:, -2:] = 0  # padding
    ids[0, :3] = 5  # repeated ids
    values = torch.randn(3, 7, generator=g)
    return ids, values


def test_opcheck_embed_and_its_backward():
    torch.manual_seed(0)
    weight = torch.randn(12, 8, requires_grad=True)
    ids = torch.tensor([3, 3, 11, 0, 7])
    values = torch.randn(5, requires_grad=True)
    torch.library.opcheck(torch.ops.xval.embed.default, (weight, ids, values, 0))
    torch.library.opcheck(torch.ops.xval.embed_backward.default,
                          (weight.detach(), ids, values.detach(), torch.randn(5, 8), 0, True,
                           True))


def test_compiled_fullgraph_equals_eager_outputs_and_gradients():
    torch.manual_seed(1)
    model = TinyXValModel()
    ids, values = _inputs()
    compiled = torch.compile(model, fullgraph=True)

    def run(m):
        model.zero_grad()
        vals = values.clone().requires_grad_()
        out = m(ids, vals)
        (out * torch.linspace(-1, 1, out.numel()).reshape(out.shape)).sum().backward()
        grads = {name: p.grad.clone() for name, p in model.named_parameters()}
        return out.detach(), vals.grad.clone(), grads

    eager_out, eager_dvals, eager_grads = run(model)
    compiled_out, compiled_dvals, compiled_grads = run(compiled)
    torch.testing.assert_close(compiled_out, eager_out, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(compiled_dvals, eager_dvals, rtol=1e-5, atol=1e-6)
    for name, grad in eager_grads.items():
        torch.testing.assert_close(compiled_grads[name], grad, rtol=1e-5, atol=1e-6)
    assert torch.all(compiled_grads["embed.weight"][0] == 0)  # the padding row


def test_padding_idx_as_nn_embedding():
    torch.manual_seed(2)
    ours = XValEmbedding(10, 6, padding_idx=-1)  # the last row, as nn.Embedding counts
    assert ours.padding_idx == 9 and torch.all(ours.weight[9] == 0)
    ref = nn.Embedding(10, 6, padding_idx=-1)
    with torch.no_grad():
        ref.weight.copy_(ours.weight)
    ids = torch.tensor([[9, 2, 9, 4], [2, 2, 0, 9]])
    values = torch.randn(2, 4)
    grad = torch.randn(2, 4, 6)
    ours(ids, values).backward(grad)
    (ref(ids) * values.unsqueeze(-1)).backward(grad)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad, rtol=1e-6, atol=1e-6)
    assert torch.all(ours.weight.grad[9] == 0)
    with pytest.raises(ValueError, match="padding_idx"):
        XValEmbedding(10, 6, padding_idx=10)


def test_from_pretrained_as_nn_embedding():
    table = torch.randn(7, 5)
    frozen = XValEmbedding.from_pretrained(table, padding_idx=2)
    assert not frozen.weight.requires_grad and frozen.padding_idx == 2
    ids, values = torch.tensor([1, 2, 6]), torch.tensor([2.0, 3.0, -1.0])
    torch.testing.assert_close(frozen(ids, values), table[ids] * values[:, None], rtol=0, atol=0)
    trained = XValEmbedding.from_pretrained(table, freeze=False)
    assert trained.weight.requires_grad
    values.requires_grad_()
    trained(ids, values).sum().backward()  # d_values through a frozen or a trained table
    torch.testing.assert_close(values.grad, table[ids].sum(-1), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="2-D"):
        XValEmbedding.from_pretrained(torch.randn(3))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_tables_on_the_cpu(dtype):
    # Computed in float32 from the table's exact values, rounded once to the table's dtype;
    # gradients in float32 then rounded, as torch's autocast-free reference computes them.
    torch.manual_seed(3)
    emb = XValEmbedding(20, 8, dtype=dtype)
    ids = torch.tensor([[1, 1, 19], [0, 7, 1]])
    values = torch.randn(2, 3, requires_grad=True)
    out = emb(ids, values)
    assert out.dtype == dtype
    want = (emb.weight.detach().float()[ids] * values.detach().unsqueeze(-1)).to(dtype)
    torch.testing.assert_close(out, want, rtol=0, atol=0)
    grad = torch.randn(2, 3, 8).to(dtype)
    out.backward(grad)
    ref_weight = emb.weight.detach().float().requires_grad_()
    ref_values = values.detach().clone().requires_grad_()
    (nn.functional.embedding(ids, ref_weight) * ref_values.unsqueeze(-1)).backward(grad.float())
    assert emb.weight.grad.dtype == dtype and values.grad.dtype == torch.float32
    torch.testing.assert_close(emb.weight.grad, ref_weight.grad.to(dtype), rtol=0, atol=0)
    torch.testing.assert_close(values.grad, ref_values.grad, rtol=1e-5, atol=1e-5)


def test_bad_ids_and_shapes_are_clear_errors():
    emb = XValEmbedding(5, 3)
    with pytest.raises(IndexError, match="outside"):
        emb(torch.tensor([0, 5]))
    with pytest.raises(IndexError, match="outside"):
        emb(torch.tensor([2**32 + 1]))  # would wrap to 1 in int32
    with pytest.raises(IndexError, match="outside"):
        emb(torch.tensor([-1]))
    with pytest.raises(TypeError, match="integer"):
        emb(torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        emb(torch.tensor([0, 1]), torch.ones(3))
    with pytest.raises(ValueError, match="float32, bfloat16 or float16"):
        XValEmbedding(5, 3, dtype=torch.complex64)(torch.tensor([0]))
