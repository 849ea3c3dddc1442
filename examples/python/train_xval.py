#!/usr/bin/env python3
"""End-to-end xVal: train a tiny Llama with xVal inputs and a number head in PyTorch, against
the same model trained on digit-split tokens, then run the saved checkpoint in C++.

The task: arithmetic word problems generated on the fly, six templates over three operations
("What is 3.25 plus 4.10? Answer: 7.35", "Rice costs 2.5 dollars per kg. What do 3.0 kg cost?
Answer: 7.50"). Each model sees the same problems:

  xVal      xval.Tokenizer(numbers="xval", transform="scale:0.1"): every number is one [NUM]
            token whose value (the number times 0.1) scales its embedding (XValEmbedding); the
            loss is cross-entropy on the answer tokens plus the MSE of the number head at the
            position that predicts the answer's [NUM] (Golkar et al. 2023, causal variant).
  baseline  xval.Tokenizer(digits="individual"): the answer is spelled digit by digit by the LM
            head (greedy decoding), and the text it writes is read back as a number.

Both are LlamaForCausalLM from transformers (RMSNorm, RoPE, SwiGLU) with the same size and the
same number of steps. The held-out error of each (mean absolute error and R^2 on the answers, in
the task's own units) is printed. The xVal model is saved as a Hugging Face folder with the
number head (config keys and tensor names of include/xval/model.h) and a tokenizer.json; then
check_cpp_forward.py compares xval.Model (the C++ forward pass) with PyTorch on it, and the
`xval generate` command runs it once when the binary is found.

    python3 examples/python/train_xval.py                # the full run (a few minutes on 2 cores)
    python3 examples/python/train_xval.py --steps 50     # a smoke test

Needs: the xval package (pip install .), torch, transformers, safetensors, tokenizers (which
transformers installs; used once to write the small byte-level BPE vocabulary).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import xval
from xval.torch import NumberHead, XValEmbedding

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import check_cpp_forward  # noqa: E402  (same folder)

TRANSFORM = "scale:0.1"  # ValueTransform spec: answers lie in [-10, 20), values in [-1, 2)
SPECIALS = ["[PAD]", "[END]", "[NUM]"]  # ids 0, 1, 2
ANSWER = " Answer:"

# (operation, template). Operands: plus/minus two-decimal numbers in [0, 10); times one-decimal
# numbers in [0, 5) and [0, 4). Every answer is exact with two decimals.
TEMPLATES = [
    ("plus", "What is {a} plus {b}?"),
    ("plus", "A crate weighs {a} kg and a box weighs {b} kg. How much do both weigh?"),
    ("minus", "What is {a} minus {b}?"),
    ("minus", "A rope is {a} m long and {b} m are cut off. How long is the rest?"),
    ("times", "What is {a} times {b}?"),
    ("times", "Rice costs {a} dollars per kg. What do {b} kg cost?"),
]


def make_problems(n, rng):
    """n problems: (prompt, answer text, answer value, operation); prompts end with ' Answer:'."""
    out = []
    kinds = rng.integers(0, len(TEMPLATES), n)
    for k in kinds:
        op, template = TEMPLATES[k]
        if op == "times":
            ia, ib = int(rng.integers(0, 50)), int(rng.integers(0, 40))
            a, b, cents = f"{ia / 10:.1f}", f"{ib / 10:.1f}", ia * ib
        else:
            ia, ib = int(rng.integers(0, 1000)), int(rng.integers(0, 1000))
            a, b = f"{ia / 100:.2f}", f"{ib / 100:.2f}"
            cents = ia + ib if op == "plus" else ia - ib
        out.append((template.format(a=a, b=b) + ANSWER, f"{cents / 100:.2f}", cents / 100, op))
    return out



def write_tokenizer(path):
    """A byte-level BPE tokenizer.json whose merges spell the templates' words (no digit is
    ever merged), with [PAD], [END] and [NUM] as added tokens 0, 1 and 2. Loaded by xval from
    Python and by the C++ `xval generate`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, min_frequency=1, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    words = [re.sub(r" ?\{[ab]\}", "", t) + ANSWER for _, t in TEMPLATES]
    tok.train_from_iterator(words, trainer)
    tok.save(path)


def load_tokenizers(path):
    """(xVal tokenizer, digit-split tokenizer), both over the same vocabulary."""
    xval_tok = xval.Tokenizer.from_file(path, numbers="xval", transform=TRANSFORM)
    digit_tok = xval.Tokenizer.from_file(path, digits="individual")
    return xval_tok, digit_tok


def encode(tok, problems, end_id):
    """Encodes prompt + ' ' + answer for each problem and appends [END]. Returns ids and values
    [B, T] (right-padded with [PAD]=0, value 1), lengths [B] and n_prompt [B]: the number of
    tokens through the space before the answer (the model's input when it must answer)."""
    texts = [p + " " + a for p, a, _, _ in problems]
    encs = tok.encode_batch(texts)
    lengths = np.array([len(e.ids) + 1 for e in encs])
    ids = np.zeros((len(encs), lengths.max()), np.int64)
    values = np.ones((len(encs), lengths.max()), np.float32)
    n_prompt = np.zeros(len(encs), np.int64)
    for i, (e, (p, _, _, _)) in enumerate(zip(encs, problems)):
        n = len(e.ids)
        ids[i, :n], ids[i, n] = e.ids, end_id
        values[i, :n] = e.values
        starts = e.offsets[:, 0]
        n_prompt[i] = int(np.sum(starts <= len(p.encode())))  # through the space token
        assert e.offsets[n_prompt[i] - 1, 1] == len(p.encode()) + 1, "space not its own token"
    return torch.from_numpy(ids), torch.from_numpy(values), lengths, n_prompt


class XvalLlama(nn.Module):
    """LlamaForCausalLM whose input embedding is XValEmbedding (sharing embed_tokens' weight,
    so that save_pretrained writes it as model.embed_tokens.weight) plus a number head on the
    final-normed hidden state, as the C++ forward pass computes it."""

    def __init__(self, config, head_ff):
        super().__init__()
        from transformers import LlamaForCausalLM
        self.lm = LlamaForCausalLM(config)
        self.embed = XValEmbedding(config.vocab_size, config.hidden_size)
        self.embed.weight = self.lm.model.embed_tokens.weight  # one parameter, two modules
        self.num_head = NumberHead(config.hidden_size, head_ff)

    def forward(self, ids, values):
        x = self.embed(ids, values)  # [B, T, hidden] = embed_tokens[ids] * values
        h = self.lm.model(inputs_embeds=x, use_cache=False).last_hidden_state  # after the norm
        return self.lm.lm_head(h), self.num_head(h)  # [B, T, vocab], [B, T]


def make_config(vocab_size, args):
    from transformers import LlamaConfig
    config = LlamaConfig(vocab_size=vocab_size, hidden_size=args.hidden,
                         intermediate_size=args.hidden * 2, num_hidden_layers=args.layers,
                         num_attention_heads=args.heads, num_key_value_heads=args.heads,
                         max_position_embeddings=128, rms_norm_eps=1e-6,
                         tie_word_embeddings=False, bos_token_id=None,
                         eos_token_id=SPECIALS.index("[END]"),
                         pad_token_id=SPECIALS.index("[PAD]"))
    config._attn_implementation = "sdpa"
    return config


def losses(model, ids, values, n_prompt, lengths, num_id, use_numbers):
    """Cross-entropy on the answer tokens ([END] included); with xVal, plus the MSE of the
    number head at the position that predicts the answer's [NUM], against its value."""
    logits, numbers = model(ids, values)
    T = ids.shape[1]
    pos = torch.arange(T - 1)[None]
    # position p predicts token p + 1; answer tokens are n_prompt .. length - 1
    mask = (pos >= torch.as_tensor(n_prompt)[:, None] - 1) & (
        pos < torch.as_tensor(lengths)[:, None] - 1)
    target = ids[:, 1:]
    ce = F.cross_entropy(logits[:, :-1][mask], target[mask])
    if not use_numbers:
        return ce, torch.zeros(())
    num_mask = mask & (target == num_id)
    mse = F.mse_loss(numbers[:, :-1][num_mask], values[:, 1:][num_mask])
    return ce, mse


def train(name, tok, args, vocab_size, num_id, end_id, use_numbers):
    torch.manual_seed(args.seed)
    model = XvalLlama(make_config(vocab_size, args), head_ff=2 * args.hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01,
                            betas=(0.9, 0.98))
    warmup = max(1, args.steps // 20)
    def lr_factor(s):  # linear warm-up, then cosine decay to 0
        return min(1.0, (s + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(1.0, s / args.steps)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    rng = np.random.default_rng(args.seed + 1)
    t0 = time.time()
    model.train()
    for step in range(args.steps):
        ids, values, lengths, n_prompt = encode(tok, make_problems(args.batch, rng), end_id)
        ce, mse = losses(model, ids, values, n_prompt, lengths, num_id, use_numbers)
        loss = ce + mse
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.log_every == 0 or step == args.steps - 1:
            print(f"  [{name}] step {step:5d}  ce {ce.item():.4f}  mse {mse.item():.5f}  "
                  f"{time.time() - t0:6.1f}s", flush=True)
    model.eval()
    return model, time.time() - t0


def metrics(pred, true, ops):
    pred, true = np.asarray(pred, np.float64), np.asarray(true, np.float64)
    err = np.abs(pred - true)
    r2 = 1.0 - np.sum((pred - true) ** 2) / np.sum((true - true.mean()) ** 2)
    by_op = {op: float(err[np.asarray(ops) == op].mean()) for op in ("plus", "minus", "times")}
    return {"mae": float(err.mean()), "median_ae": float(np.median(err)), "r2": float(r2),
            "within_0.05": float(np.mean(err <= 0.05)), "mae_by_op": by_op}


@torch.no_grad()
def evaluate_xval(model, tok, problems, num_id, end_id):
    """The number head's value at the position that answers, read back through the tokenizer's
    inverse transform (decode with values); and whether the LM head chose [NUM] there."""
    ids, values, lengths, n_prompt = encode(tok, problems, end_id)
    logits, numbers = model(ids, values)
    rows = torch.arange(len(problems))
    at = torch.as_tensor(n_prompt) - 1
    head = numbers[rows, at].numpy()
    chose_num = (logits[rows, at].argmax(-1) == num_id).float().mean().item()
    pred = [float(tok.decode([num_id], values=[float(v)])) for v in head]
    return pred, chose_num, (ids, values, lengths)


@torch.no_grad()
def evaluate_digits(model, tok, problems, end_id, max_new=8):
    """Greedy decoding from the prompt (grouped by prompt length, no padding inside a group);
    the text up to [END] is read as a number (unreadable: 0, counted)."""
    ids, values, lengths, n_prompt = encode(tok, problems, end_id)
    pred = [0.0] * len(problems)
    failed = 0
    for n in np.unique(n_prompt):
        rows = np.nonzero(n_prompt == n)[0]
        seq = ids[rows, :n]
        for _ in range(max_new):
            logits, _ = model(seq, torch.ones(seq.shape))
            seq = torch.cat([seq, logits[:, -1].argmax(-1, keepdim=True)], 1)
        for r, out in zip(rows, seq[:, n:].tolist()):
            if end_id in out:
                out = out[:out.index(end_id)]
            text = tok.decode(out)
            try:
                pred[r] = float(text)
            except ValueError:
                failed += 1
    return pred, failed


def save_checkpoint(model, out_dir, tok_path, head_ff):
    """Hugging Face folder: config.json with the xVal keys, model.safetensors with num_head.*,
    tokenizer.json."""
    from safetensors.torch import load_file, save_file
    shutil.rmtree(out_dir, ignore_errors=True)
    model.lm.save_pretrained(out_dir)
    path = os.path.join(out_dir, "config.json")
    cfg = json.load(open(path))
    cfg.update(xval_num_token_id=SPECIALS.index("[NUM]"), xval_number_head="mlp",
               xval_number_head_intermediate_size=head_ff, xval_transform=TRANSFORM)
    json.dump(cfg, open(path, "w"), indent=2, sort_keys=True)
    weights = os.path.join(out_dir, "model.safetensors")
    state = load_file(weights)
    for k, v in model.num_head.state_dict().items():  # net.0.weight -> num_head.0.weight
        state["num_head." + k.split(".", 1)[1]] = v.detach().contiguous()
    save_file(state, weights, metadata={"format": "pt"})
    shutil.copy(tok_path, os.path.join(out_dir, "tokenizer.json"))


def find_cli():
    for p in [os.environ.get("XVAL_CLI", ""), os.path.join(ROOT, "build/cli/bindings/cli/xval"),
              os.path.join(ROOT, "build/release/bindings/cli/xval"), shutil.which("xval") or ""]:
        if p and os.access(p, os.X_OK):
            return p
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--eval", type=int, default=1000, help="held-out problems")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (more than the idle cores is much slower: OpenMP spins)")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "train_xval"))
    p.add_argument("--log-every", type=int, default=250)
    p.add_argument("--json", default="", help="also write the results here")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    import transformers
    transformers.logging.set_verbosity_error()  # the load report lists num_head.* as unexpected
    transformers.logging.disable_progress_bar()
    t_start = time.time()

    os.makedirs(args.out, exist_ok=True)
    tok_path = os.path.join(args.out, "tokenizer.json")
    write_tokenizer(tok_path)
    xval_tok, digit_tok = load_tokenizers(tok_path)
    vocab_size = xval_tok.vocab_size
    num_id, end_id = xval_tok.token_to_id("[NUM]"), xval_tok.token_to_id("[END]")
    assert (num_id, end_id) == (SPECIALS.index("[NUM]"), SPECIALS.index("[END]"))

    held_out = make_problems(args.eval, np.random.default_rng(10_000 + args.seed))
    true = [v for _, _, v, _ in held_out]
    ops = [op for _, _, _, op in held_out]
    print(f"vocabulary {vocab_size} tokens; model hidden {args.hidden}, {args.layers} layers; "
          f"{args.steps} steps of {args.batch}; {args.eval} held-out problems", flush=True)

    results = {"command": " ".join([os.path.basename(sys.executable)] + sys.argv),
               "torch_threads": torch.get_num_threads()}
    print("xVal: training", flush=True)
    xmodel, xtime = train("xval", xval_tok, args, vocab_size, num_id, end_id, True)
    xpred, chose_num, (ids, values, lengths) = evaluate_xval(xmodel, xval_tok, held_out, num_id,
                                                             end_id)
    results["xval"] = dict(metrics(xpred, true, ops), train_s=xtime, lm_head_chose_num=chose_num)

    print("digit-split baseline: training", flush=True)
    dmodel, dtime = train("digits", digit_tok, args, vocab_size, num_id, end_id, False)
    dpred, failed = evaluate_digits(dmodel, digit_tok, held_out, end_id)
    results["digits"] = dict(metrics(dpred, true, ops), train_s=dtime, unreadable=failed)

    print(f"\nheld-out answers ({args.eval} problems, task units):")
    for name, label in [("xval", "xVal number head"), ("digits", "digit-split baseline")]:
        r = results[name]
        print(f"  {label:22s} MAE {r['mae']:.4f}  median AE {r['median_ae']:.4f}  "
              f"R^2 {r['r2']:.5f}  |err|<=0.05 {r['within_0.05']:.3f}  "
              f"(trained {r['train_s']:.0f}s)")
        print(f"  {'':22s} MAE by operation: " +
              ", ".join(f"{op} {v:.4f}" for op, v in r["mae_by_op"].items()))
    print(f"  xVal LM head chose [NUM] at the answer: {chose_num:.3f}; baseline unreadable "
          f"answers: {failed}")

    ckpt = os.path.join(args.out, "xval_checkpoint")
    save_checkpoint(xmodel, ckpt, tok_path, 2 * args.hidden)
    print(f"\ncheckpoint written to {ckpt}")

    # The C++ forward pass on the saved checkpoint against PyTorch (the checkpoint reloaded
    # with transformers, and the in-memory model) on held-out sequences.
    seqs = [(ids[i, :lengths[i]].numpy(), values[i, :lengths[i]].numpy()) for i in range(8)]
    with torch.no_grad():
        mem = [tuple(t[0].numpy() for t in xmodel(torch.as_tensor(s)[None],
                                                    torch.as_tensor(v)[None])) for s, v in seqs]
    parity = check_cpp_forward.check(ckpt, seqs, reference=mem)
    results["parity"] = parity
    print(f"C++ forward vs PyTorch on {len(seqs)} held-out sequences: max |logits diff| "
          f"{parity['max_abs_logits']:.2e} (max |logit| {parity['max_logit']:.1f}), max |number "
          f"diff| {parity['max_abs_numbers']:.2e} (max |number| {parity['max_number']:.2f}) -> "
          f"{'PASS' if parity['ok'] else 'FAIL'} (tolerance {parity['tolerance']:g} x max(1, "
          f"max |output|))")

    # Generation in C++: from Python with an xVal-encoded prompt, and the xval command.
    prompt = "What is 3.25 plus 4.10?" + ANSWER + " "
    enc = xval_tok.encode(prompt)
    cpp = xval.Model.load(ckpt)
    gen_ids, gen_values = cpp.generate(enc.ids, enc.values, max_new_tokens=4)
    text = xval_tok.decode(list(gen_ids), values=list(gen_values))
    print(f"xval.Model.generate: {prompt!r} -> {text!r} (true 7.35)")
    results["generate_python"] = text
    cli = find_cli()
    if cli:
        cmd = [cli, "generate", "--model", ckpt, "--prompt", prompt, "--numbers", "xval",
               "--transform", TRANSFORM, "--max_new_tokens", "4"]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        print(f"$ xval generate --model {ckpt} --prompt '{prompt}' --numbers xval --transform "
              f"{TRANSFORM} --max_new_tokens 4\n{run.stdout.strip()}{run.stderr.strip()}")
        results["generate_cli"] = {"command": cmd, "rc": run.returncode, "stdout": run.stdout,
                                  "stderr": run.stderr}
    else:
        print("xval command not found (cmake --preset cli && cmake --build --preset cli)")
    results["total_s"] = time.time() - t_start
    print(f"total {results['total_s']:.0f}s")
    if args.json:
        json.dump(results, open(args.json, "w"), indent=2)
    return 0 if parity["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
