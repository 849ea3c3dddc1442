#!/usr/bin/env python3
"""Checks that xval.Model (the C++ Llama forward pass) reproduces PyTorch on an xVal checkpoint.

PyTorch side: the folder reloaded with transformers' LlamaForCausalLM (float32, eager
attention), the input embedding embed_tokens(ids) * values, and the number head rebuilt from
config.json (xval_number_head, xval_number_head_intermediate_size) and the num_head.* tensors
of model.safetensors, applied to the final-normed hidden state (include/xval/model.h). C++
side: xval.Model.load(folder).forward(ids, values).

Passes when max |logits difference| <= tolerance * max(1, max |logit|) and max |number
difference| <= tolerance * max(1, max |number|), tolerance 1e-4.

    python3 examples/python/check_cpp_forward.py build/train_xval/xval_checkpoint

Used by train_xval.py (check()); standalone, it encodes a few problems with the tokenizer.json
beside the checkpoint (xVal numbers, the transform recorded in config.json as xval_transform).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn

import xval

TOLERANCE = 1e-4


def load_torch(ckpt):
    """(LlamaForCausalLM, number head) from a checkpoint folder, float32, eval mode."""
    from safetensors.torch import load_file
    import transformers
    from transformers import LlamaForCausalLM
    transformers.logging.set_verbosity_error()  # num_head.* are "unexpected" to transformers
    transformers.logging.disable_progress_bar()
    lm = LlamaForCausalLM.from_pretrained(ckpt, dtype=torch.float32,
                                          attn_implementation="eager").eval()
    cfg = json.load(open(os.path.join(ckpt, "config.json")))
    hidden = cfg["hidden_size"]
    if cfg.get("xval_number_head") == "mlp":
        ff = cfg["xval_number_head_intermediate_size"]
        head = nn.Sequential(nn.Linear(hidden, ff), nn.GELU(), nn.Linear(ff, 1))
    elif cfg.get("xval_number_head") == "linear":
        head = nn.Linear(hidden, 1)
    else:
        head = None
    if head is not None:
        state = load_file(os.path.join(ckpt, "model.safetensors"))
        head.load_state_dict({k[len("num_head."):]: v for k, v in state.items()
                              if k.startswith("num_head.")})
        head.eval()
    return lm, head


@torch.no_grad()
def torch_forward(lm, head, ids, values):
    ids = torch.as_tensor(np.asarray(ids, np.int64))[None]
    values = torch.as_tensor(np.asarray(values, np.float32))[None]
    x = lm.get_input_embeddings()(ids) * values[..., None]
    h = lm.model(inputs_embeds=x, use_cache=False).last_hidden_state  # after the final norm
    logits = lm.lm_head(h)[0].numpy()
    numbers = head(h)[0, :, 0].numpy() if head is not None else None
    return logits, numbers


def check(ckpt, seqs, reference=None, tolerance=TOLERANCE):
    """seqs: [(ids, values)]. reference: optional [(logits, numbers)] from another PyTorch run
    (the in-memory training model), compared too. Returns a dict of the largest differences."""
    lm, head = load_torch(ckpt)
    cpp = xval.Model.load(ckpt)
    worst = {"max_abs_logits": 0.0, "max_abs_numbers": 0.0, "max_logit": 0.0, "max_number": 0.0}
    for i, (ids, values) in enumerate(seqs):
        ids32 = np.ascontiguousarray(ids, np.int32)
        vals32 = np.ascontiguousarray(values, np.float32)
        c_logits, c_numbers = cpp.forward(ids32, vals32)
        refs = [torch_forward(lm, head, ids32, vals32)]
        if reference is not None:
            refs.append(reference[i])
        for t_logits, t_numbers in refs:
            worst["max_abs_logits"] = max(worst["max_abs_logits"],
                                          float(np.abs(c_logits - t_logits).max()))
            worst["max_logit"] = max(worst["max_logit"], float(np.abs(t_logits).max()))
            if t_numbers is not None:
                worst["max_abs_numbers"] = max(worst["max_abs_numbers"],
                                               float(np.abs(c_numbers - t_numbers).max()))
                worst["max_number"] = max(worst["max_number"], float(np.abs(t_numbers).max()))
    worst["rel_logits"] = worst["max_abs_logits"] / max(1.0, worst["max_logit"])
    worst["rel_numbers"] = worst["max_abs_numbers"] / max(1.0, worst["max_number"])
    worst["tolerance"] = tolerance
    worst["ok"] = worst["rel_logits"] <= tolerance and worst["rel_numbers"] <= tolerance
    worst["sequences"] = len(seqs)
    return worst


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--texts", nargs="*", default=[
        "What is 3.25 plus 4.10? Answer: 7.35",
        "A rope is 9.50 m long and 2.25 m are cut off. How long is the rest? Answer: 7.25",
        "Rice costs 2.5 dollars per kg. What do 3.0 kg cost? Answer: 7.50"])
    args = p.parse_args()
    cfg = json.load(open(os.path.join(args.checkpoint, "config.json")))
    tok = xval.Tokenizer.from_file(os.path.join(args.checkpoint, "tokenizer.json"),
                                   numbers="xval", transform=cfg.get("xval_transform", "identity"))
    seqs = [(e.ids, e.values) for e in tok.encode_batch(args.texts)]
    r = check(args.checkpoint, seqs)
    print(json.dumps(r, indent=2))
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
