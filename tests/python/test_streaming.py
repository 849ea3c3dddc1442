"""Streaming decode (issue 17) through the package and the command: Tokenizer.decode_stream()
equals decode() on the corpus, Model.generate streams its text through it, and `xval generate`
prints exactly the decode of the ids it ran (--print-ids shows them)."""
import subprocess

import pytest

import xval
from conftest import BUILD, DATA, ROOT

TINY = ROOT / "tests" / "golden" / "model" / "xval_mlp"  # transformers' tiny xVal checkpoint


def streamed(stream, ids, values=None):
    out = []
    for i, id_ in enumerate(ids):
        piece = stream.step(id_, 1.0 if values is None else values[i])
        assert piece is None or (isinstance(piece, str) and piece)
        if piece is not None:
            out.append(piece)
    out.append(stream.flush())
    return "".join(out)


@pytest.mark.parametrize("kind", ["llama", "cl100k", "llama_xval"])
def test_decode_stream_equals_decode_on_the_corpus(kind, corpus):
    if kind == "cl100k":
        tok = xval.Tokenizer.tiktoken("cl100k_base",
                                      data_dir=str(DATA / "tokenizers" / "tiktoken"))
    else:
        tok = xval.Tokenizer.from_file(str(DATA / "tokenizers" / "llama2" / "tokenizer.model"),
                                       numbers="xval" if kind == "llama_xval" else "none")
    stream = tok.decode_stream()
    wrong = 0
    for line in corpus[::23]:
        e = tok.encode(line)
        values = e.values.tolist() if kind == "llama_xval" else None
        expected = tok.decode(e.ids, values)
        wrong += streamed(stream, e.ids.tolist(), values) != expected
    assert wrong == 0


def test_decode_stream_keeps_the_reply_space_and_holds_unfinished_characters():
    tok = xval.Tokenizer.from_file(str(DATA / "tokenizers" / "llama2" / "tokenizer.model"))
    stream = tok.decode_stream()
    for i in tok.encode("The orbit takes").ids:
        stream.step(int(i))
    reply = [stream.step(int(i)) for i in tok.encode(" Frederick 😀").ids[1:]]
    assert "".join(p for p in reply if p) + stream.flush() == " Frederick 😀"
    bytes_ = [tok.token_to_id(f"<0x{b:02X}>") for b in "😀".encode("utf-8")]
    assert [stream.step(b) for b in bytes_] == [None, None, None, "😀"]
    with pytest.raises(IndexError):
        stream.step(1 << 40)


def paper_tokenizer():
    return xval.Tokenizer.from_file(str(TINY / "tokenizer.json"), numbers="xval",
                                    number_mode="paper")


def test_model_generate_streams_text():
    tok = paper_tokenizer()
    model = xval.Model.load(str(TINY))
    prompt = tok.encode("{'planet0':{'m':1.5,'a':")
    chunks, tokens = [], []
    ids, values = model.generate(prompt.ids.tolist(), prompt.values.tolist(), max_new_tokens=12,
                                 stop_at_eos=False, tokenizer=tok, on_text=chunks.append,
                                 on_token=lambda i, v: tokens.append(i))
    assert list(ids) == tokens and len(tokens) == 12
    all_ids = prompt.ids.tolist() + list(ids)
    all_values = prompt.values.tolist() + list(values)
    full = tok.decode(all_ids, all_values)
    before = tok.decode(prompt.ids.tolist(), prompt.values.tolist())
    assert "".join(chunks) == full[len(before):]
    # A prompt that ends in a number: the stream holds it back until the reply's first token;
    # it is the prompt's text, not the reply's.
    prompt = tok.encode("{'planet0':{'m':1.5")
    chunks = []
    ids, values = model.generate(prompt.ids.tolist(), prompt.values.tolist(), max_new_tokens=6,
                                 stop_at_eos=False, tokenizer=tok, on_text=chunks.append)
    full = tok.decode(prompt.ids.tolist() + list(ids), prompt.values.tolist() + list(values))
    before = tok.decode(prompt.ids.tolist(), prompt.values.tolist())
    assert full.startswith(before)
    assert "".join(chunks) == full[len(before):]
    stopped = model.generate(prompt.ids.tolist(), prompt.values.tolist(), max_new_tokens=12,
                             stop_at_eos=False, on_token=lambda i, v: False)
    assert len(stopped[0]) == 1


@pytest.mark.parametrize("numbers", [False, True])
def test_cli_generate_prints_the_decode_of_its_ids(numbers):
    cli = BUILD / "bindings" / "cli" / "xval"
    args = [str(cli), "generate", "--model", str(TINY), "--prompt", "{'planet0':{'m':1.5,'a':",
            "--max-new-tokens", "16", "--print-ids", "--threads", "1"]
    if numbers:
        args += ["--numbers", "xval", "--number-mode", "paper"]
    out = subprocess.run(args, capture_output=True, check=True)
    lines = out.stderr.decode().strip().split("\n")
    ids = [int(x) for x in lines[-2].removeprefix("ids: ").split()]
    values = [float(x) for x in lines[-1].removeprefix("values: ").split()]
    tok = paper_tokenizer()
    expected = tok.decode(ids, values) if numbers else tok.decode(ids)
    assert out.stdout.decode("utf-8") == expected + "\n"
    assert len(ids) > len(tok.encode("{'planet0':{'m':1.5,'a':").ids)
