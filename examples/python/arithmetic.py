#!/usr/bin/env python3
"""Arithmetic with six number encodings: the same small transformer, the same steps, batch and
learning rate for each, on multi-digit addition and on multiplication up to 5 x 5 digits;
exact-match accuracy by operand length.

Encodings (every text goes through xval: cl100k_base's vocabulary, xval's digit modes,
rewrites, number side data and the encoding modules of xval.torch):

  digits      each digit one token (Tokenizer digits="individual"), answer generated digit by
              digit, most significant first.
  rtl3        right-to-left groups of three digits (digits="rtl3"; Singh & Strouse 2024),
              cl100k's own 1-3 digit tokens.
  abacus      digits reversed (rewrite_numbers "reverse": least significant first) with Abacus
              position embeddings (McLeish et al. 2024; AbacusEmbedding, offset k up to 20 in
              training).
  xval        each number one [NUM] (numbers="xval", the BitTokens code's log10 scaling); the
              answer is the number head's value at '=' (MSE), rounded to an integer.
  fone        each number one [NUM] with its FoNE features (FoneEmbedding, 11 integer digits);
              the answer read digit by digit by FoneHead at '='.
  bittokens   each number one [NUM] with its float64 bits (BitTokenEmbedding); the answer's 64
              bits predicted by BitTokenHead at '='.

The model is transformers' LlamaForCausalLM (RMSNorm, RoPE, SwiGLU) fed inputs_embeds from the
encoding's embedding. Models whose input is ids and xVal values (digits, rtl3, xval) are saved
as Hugging Face folders and run through xval.Model, the C++ forward pass, which must reproduce
PyTorch's logits (and number head) within 1e-4.

    python3 examples/python/arithmetic.py            # the full run: about an hour on 2 cores
    python3 examples/python/arithmetic.py --quick    # a few minutes: the pipeline, not accuracy

Prints the accuracy table (encoding x task x operand length); --json writes it.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import xval
import xval.torch as xt

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import check_cpp_forward  # noqa: E402  (same folder)

ENCODINGS = ["digits", "rtl3", "abacus", "xval", "fone", "bittokens"]
NUMBER_LEVEL = {"xval", "fone", "bittokens"}
TASKS = {"add": ("+", 10), "mul": ("*", 5)}  # operator, longest operand in digits
XVAL_TRANSFORM = "log10"  # BitTokens' xVal scaling: |x| = 1 is 2.5, 1e15 is 5
FONE_DIGITS = 11  # answers below 10^11: sums of two 10-digit numbers, 5 x 5 digit products


def sample(task, rng, lengths):
    """(a, b, answer) with each operand's digit count drawn from `lengths`."""
    op, _ = TASKS[task]
    def number(n):
        return rng.randrange(10 ** (n - 1) if n > 1 else 0, 10 ** n)
    a, b = number(rng.choice(lengths)), number(rng.choice(lengths))
    return a, b, (a + b if op == "+" else a * b)


class Vocab:
    """The cl100k ids an encoding uses, renumbered 0..n-1 (a small output layer); [END] last."""

    def __init__(self, tok, pieces, extra_ids=()):
        self.tok = tok
        self.to_small = {int(i): n for n, i in enumerate(extra_ids)}
        for p in pieces:
            for i in tok.encode(p).ids.tolist():
                self.to_small.setdefault(int(i), len(self.to_small))
        self.end = len(self.to_small)
        self.size = self.end + 1
        self.from_small = {s: i for i, s in self.to_small.items()}

    def ids(self, text):
        return [self.to_small[int(i)] for i in self.tok.encode(text).ids]

    def text(self, small_ids):
        return self.tok.decode([self.from_small[i] for i in small_ids if i != self.end])


class Encoding:
    """One encoding: its tokenizer, how a problem becomes model inputs, its embedding and, for the
    number-level ones, its head."""

    def __init__(self, name, hidden):
        self.name = name
        digit_mode = "rtl3" if name == "rtl3" else "individual"
        if name in NUMBER_LEVEL:
            self.tok = xval.Tokenizer.tiktoken("cl100k_base", numbers="xval",
                                               transform=XVAL_TRANSFORM if name == "xval"
                                               else "identity")
            # A literal "[NUM]" in a text is text: the id comes from the tokenizer.
            self.vocab = Vocab(self.tok, ["+", "*", "="], extra_ids=[self.tok.token_to_id("[NUM]")])
            self.num_id = 0
        else:
            self.tok = xval.Tokenizer.tiktoken("cl100k_base", digits=digit_mode)
            chunks = [str(i) for i in range(10)]
            if name == "rtl3":
                chunks += [f"{i:02d}" for i in range(100)] + [f"{i:03d}" for i in range(1000)]
            self.vocab = Vocab(self.tok, chunks + ["+", "*", "="])
            self.num_id = -1
        self.digit_ids = [self.vocab.to_small[int(self.tok.token_to_id(str(d)))]
                          for d in range(10)] if name == "abacus" else []
        v = self.vocab.size
        if name == "xval":
            self.embed = xt.XValEmbedding(v, hidden)
            self.head = xt.NumberHead(hidden, 2 * hidden)
        elif name == "fone":
            self.embed = xt.FoneEmbedding(v, hidden, self.num_id, integer_digits=FONE_DIGITS,
                                          fraction_digits=0)
            self.head = xt.FoneHead(hidden, integer_digits=FONE_DIGITS, fraction_digits=0)
        elif name == "bittokens":
            self.embed = xt.BitTokenEmbedding(v, hidden, self.num_id, reciprocal=True)
            self.head = xt.BitTokenHead(hidden)
        else:
            self.embed = nn.Embedding(v, hidden)
            self.head = None
        self.abacus = xt.AbacusEmbedding(64, hidden, max_k=20) if name == "abacus" else None

    def text(self, a, op, b):
        prompt = f"{a}{op}{b}="
        return xval.rewrite_numbers(prompt, "reverse") if self.name == "abacus" else prompt

    def answer_text(self, c):
        return xval.rewrite_numbers(str(c), "reverse") if self.name == "abacus" else str(c)

    def inputs(self, prompts):
        """Number-level prompts -> ids (B, T) and values (B, T): xVal's stored values (the
        tokenizer's transform, float32); for FoNE and BitTokens the operands' exact float64
        values from NumberInfo (1 elsewhere)."""
        ids, values = [], []
        for p in prompts:
            enc = self.tok.encode(p, number_info=self.name != "xval")
            if self.name == "xval":
                vals = enc.values.astype(np.float64)
            else:
                index = enc.numbers.number_index
                vals = np.where(index >= 0, enc.numbers.values[np.maximum(index, 0)], 1.0)
            ids.append([self.vocab.to_small[int(i)] for i in enc.ids])
            values.append(vals)
        return torch.tensor(ids), torch.tensor(np.array(values), dtype=torch.float64)

    def embeddings(self, ids, values=None):
        """(B, T) -> (B, T, hidden): the encoding's input embedding."""
        if self.name == "xval":
            return self.embed(ids, values.float())
        if self.name in ("fone", "bittokens"):
            return self.embed(ids, values)
        x = self.embed(ids)
        if self.abacus is not None:
            x = x + self.abacus(xt.abacus_positions(ids, self.digit_ids))
        return x

    def scale(self, v):
        """xVal's stored value of the integer v (the tokenizer's transform of its [NUM])."""
        return float(self.tok.encode(str(int(v))).values[0])


class Model(nn.Module):
    def __init__(self, enc, args):
        super().__init__()
        from transformers import LlamaConfig, LlamaForCausalLM
        config = LlamaConfig(vocab_size=enc.vocab.size, hidden_size=args.hidden,
                             intermediate_size=2 * args.hidden, num_hidden_layers=args.layers,
                             num_attention_heads=args.heads, num_key_value_heads=args.heads,
                             max_position_embeddings=128, rms_norm_eps=1e-6,
                             tie_word_embeddings=False, bos_token_id=None,
                             eos_token_id=enc.vocab.end, pad_token_id=enc.vocab.end)
        config._attn_implementation = "sdpa"
        self.lm = LlamaForCausalLM(config)
        self.enc = enc
        self.embed = enc.embed
        if isinstance(enc.embed, (nn.Embedding, xt.XValEmbedding)):
            # One parameter: save_pretrained writes it as model.embed_tokens.weight.
            self.lm.model.embed_tokens.weight = enc.embed.weight
        self.head = enc.head
        self.abacus = enc.abacus

    def forward(self, ids, values=None):
        x = self.enc.embeddings(ids, values)
        h = self.lm.model(inputs_embeds=x, use_cache=False).last_hidden_state
        return self.lm.lm_head(h), h


def eval_problems(task, n_digits, count, seed):
    """The held-out problems of one operand length: both operands of n_digits digits, from a
    seed space of their own."""
    rng = random.Random(10 ** 6 + 1000 * seed + n_digits)
    return [sample(task, rng, [n_digits]) for _ in range(count)]


def training_sampler(task, lengths, held_out, seed):
    """sample() that never returns a held-out problem."""
    rng = random.Random(seed + 1)
    def draw():
        while True:
            a, b, c = sample(task, rng, lengths)
            if (a, b) not in held_out:
                return a, b, c
    return draw


def digit_batch(enc, task, draw, batch):
    """Teacher-forced digit sequences, right-padded with [END]: ids (B, T), the loss mask."""
    op = TASKS[task][0]
    rows, masks = [], []
    for _ in range(batch):
        a, b, c = draw()
        prompt = enc.vocab.ids(enc.text(a, op, b))
        answer = enc.vocab.ids(enc.answer_text(c)) + [enc.vocab.end]
        rows.append(prompt + answer)
        masks.append([0] * (len(prompt) - 1) + [1] * len(answer))  # position p predicts p + 1
    width = max(len(r) for r in rows)
    ids = torch.full((batch, width), enc.vocab.end)
    mask = torch.zeros((batch, width - 1), dtype=torch.bool)
    for i, (r, m) in enumerate(zip(rows, masks)):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(m)] = torch.tensor(m, dtype=torch.bool)
    return ids, mask


def number_loss(model, enc, task, draw, batch):
    op = TASKS[task][0]
    problems = [draw() for _ in range(batch)]
    ids, values = enc.inputs([f"{a}{op}{b}=" for a, b, _ in problems])
    _, h = model(ids, values)
    target = torch.tensor([c for _, _, c in problems], dtype=torch.float64)
    last = h[:, -1]  # the hidden state at '='
    if enc.name == "xval":
        scaled = torch.tensor([enc.scale(c) for c in target.tolist()])
        return F.mse_loss(enc.head(last), scaled)
    return enc.head.loss(last, target)


def train(name, task, args, held_out):
    torch.manual_seed(args.seed)  # the same initial weights and draws for every encoding
    random.seed(args.seed)        # Abacus' training offsets
    enc = Encoding(name, args.hidden)
    model = Model(enc, args)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    warmup = max(1, args.steps // 20)
    def lr_factor(s):  # linear warm-up, then cosine decay to 0
        return min(1.0, (s + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(1.0, s / args.steps)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    draw = training_sampler(task, list(range(1, TASKS[task][1] + 1)), held_out, args.seed)
    t0 = time.time()
    model.train()
    for step in range(args.steps):
        if enc.name in NUMBER_LEVEL:
            loss = number_loss(model, enc, task, draw, args.batch)
        else:
            ids, mask = digit_batch(enc, task, draw, args.batch)
            logits, _ = model(ids)
            loss = F.cross_entropy(logits[:, :-1][mask], ids[:, 1:][mask])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.log_every == 0 or step == args.steps - 1:
            print(f"  [{enc.name} {task}] step {step:5d} loss {loss.item():.4f} "
                  f"{time.time() - t0:6.1f}s", flush=True)
    model.eval()
    return enc, model, time.time() - t0


@torch.no_grad()
def accuracy(model, enc, task, problems):
    """Exact-match accuracy on held-out problems."""
    op = TASKS[task][0]
    if enc.name in NUMBER_LEVEL:
        ids, values = enc.inputs([f"{a}{op}{b}=" for a, b, _ in problems])
        _, h = model(ids, values)
        last = h[:, -1]
        if enc.name == "xval":
            stored = enc.head(last).tolist()
            pred = [round(float(enc.tok.decode([enc.vocab.from_small[enc.num_id]], values=[v])))
                    if np.isfinite(v) else None for v in stored]
        else:
            pred = enc.head.decode(last).tolist()
        return float(np.mean([p is not None and p == c for p, (_, _, c) in zip(pred, problems)]))
    correct = 0
    prompts = [enc.vocab.ids(enc.text(a, op, b)) for a, b, _ in problems]
    width = max(len(enc.vocab.ids(enc.answer_text(c))) for _, _, c in problems) + 2
    for length in sorted(set(len(p) for p in prompts)):
        rows = [i for i, p in enumerate(prompts) if len(p) == length]
        seq = torch.tensor([prompts[i] for i in rows])
        for _ in range(width):
            logits, _ = model(seq)
            seq = torch.cat([seq, logits[:, -1].argmax(-1, keepdim=True)], 1)
        for i, out in zip(rows, seq[:, length:].tolist()):
            if enc.vocab.end in out:
                out = out[:out.index(enc.vocab.end)]
            text = enc.vocab.text(out)
            if enc.name == "abacus":
                text = xval.restore_numbers(text, "reverse")
            correct += text == str(problems[i][2])
    return correct / len(problems)


def save_and_check(model, enc, out_dir, seed):
    """Saves a model whose inputs are ids (and xVal values) as a Hugging Face folder and runs it
    through the C++ forward pass beside PyTorch on a few prompts."""
    from safetensors.torch import load_file, save_file
    model.lm.save_pretrained(out_dir)
    if enc.name == "xval":
        path = os.path.join(out_dir, "config.json")
        cfg = json.load(open(path))
        cfg.update(xval_num_token_id=enc.num_id, xval_number_head="mlp",
                   xval_number_head_intermediate_size=enc.head.net[0].out_features)
        json.dump(cfg, open(path, "w"), indent=2, sort_keys=True)
        weights = os.path.join(out_dir, "model.safetensors")
        state = load_file(weights)
        for k, v in enc.head.state_dict().items():  # net.0.weight -> num_head.0.weight
            state["num_head." + k.split(".", 1)[1]] = v.detach().contiguous()
        save_file(state, weights, metadata={"format": "pt"})
    rng = random.Random(seed)
    seqs = []
    for _ in range(4):
        a, b, _ = sample("add", rng, [3, 7])
        if enc.name == "xval":
            ids, values = enc.inputs([f"{a}+{b}="])
            seqs.append((ids[0].numpy(), values[0].numpy().astype(np.float32)))
        else:
            ids = enc.vocab.ids(f"{a}+{b}=")
            seqs.append((np.array(ids), np.ones(len(ids), np.float32)))
    return check_cpp_forward.check(out_dir, seqs)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="a few minutes: 40 steps per model")
    p.add_argument("--steps", type=int, default=4500)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--eval", type=int, default=100, help="problems per operand length")
    p.add_argument("--encodings", default=",".join(ENCODINGS))
    p.add_argument("--tasks", default="add,mul")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=300)
    p.add_argument("--out", default=os.path.join(ROOT, "build", "arithmetic"))
    p.add_argument("--json", default="")
    args = p.parse_args()
    if args.quick:
        args.steps, args.eval, args.log_every = 40, 8, 20
    torch.set_num_threads(args.threads)
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    encodings = args.encodings.split(",")
    tasks = args.tasks.split(",")
    for name in encodings:
        if name not in ENCODINGS:
            p.error(f"unknown encoding {name!r}: {', '.join(ENCODINGS)}")
    print(f"model: Llama, hidden {args.hidden}, {args.layers} layers, {args.heads} heads; "
          f"{args.steps} steps of {args.batch} problems per encoding and task; "
          f"{args.eval} held-out problems per operand length", flush=True)
    results = {"command": " ".join([os.path.basename(sys.executable)] + sys.argv),
               "steps": args.steps, "batch": args.batch, "accuracy": {}, "train_s": {},
               "cpp_forward": {}}
    t_start = time.time()
    for task in tasks:
        lengths = range(1, TASKS[task][1] + 1)
        evals = {n: eval_problems(task, n, args.eval, args.seed) for n in lengths}
        held_out = {(a, b) for problems in evals.values() for a, b, _ in problems}
        for name in encodings:
            enc, model, seconds = train(name, task, args, held_out)
            acc = {n: accuracy(model, enc, task, evals[n]) for n in lengths}
            results["accuracy"][f"{name}/{task}"] = acc
            results["train_s"][f"{name}/{task}"] = seconds
            print(f"  {name} {task}: " + " ".join(f"{n}:{a:.2f}" for n, a in acc.items()),
                  flush=True)
            if name in ("digits", "rtl3", "xval"):
                parity = save_and_check(model, enc, os.path.join(args.out, f"{name}_{task}"),
                                        args.seed)
                results["cpp_forward"][f"{name}/{task}"] = parity
                print(f"  C++ forward vs PyTorch: max |logits diff| "
                      f"{parity['max_abs_logits']:.2e}, numbers {parity['max_abs_numbers']:.2e}"
                      f" -> {'PASS' if parity['ok'] else 'FAIL'}", flush=True)
    results["total_s"] = time.time() - t_start
    for task in tasks:
        longest = TASKS[task][1]
        print(f"\nexact-match accuracy, {task} (operands of n digits each):")
        print(f"  {'encoding':10s} " + " ".join(f"{n:>5d}" for n in range(1, longest + 1)))
        for name in encodings:
            acc = results["accuracy"][f"{name}/{task}"]
            print(f"  {name:10s} " + " ".join(f"{acc[n]:5.2f}" for n in range(1, longest + 1)))
    print(f"total {results['total_s']:.0f}s")
    if args.json:
        json.dump(results, open(args.json, "w"), indent=2)
    return 0 if all(p["ok"] for p in results["cpp_forward"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
