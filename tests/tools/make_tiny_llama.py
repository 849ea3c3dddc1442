#!/usr/bin/env python3
"""Builds tiny random Llama checkpoints with transformers and the reference outputs that
tests/model/llama_parity_test.cc compares against.

Deterministic: the same torch version writes the same files. Every model is saved as a
Hugging Face folder (config.json, model.safetensors or shards) and as GGUF (llama.cpp layout:
q/k rows permuted for adjacent-pair RoPE, dims innermost first), with reference.safetensors:

  ids       (96,)        token ids (as f32, exact)
  values    (96,)        xVal values (1 except at [NUM] or at random positions)
  logits    (96, vocab)  LlamaForCausalLM: a 64-token prefill then 32 one-token decode steps
                         through past_key_values (bf16 checkpoints: the bf16 weights with f32
                         activations; bf16_run_logits is transformers in bf16 end to end)
  xval_logits (96, vocab) the same with inputs_embeds = embed_tokens(ids) * values
  numbers   (96,)        the number head on the final-normed hidden state (xVal path)
  gguf_q8_logits (96, vocab)  transformers on the Q8_0-dequantized weights (q8 models only)

and, with --quantize-tools DIR (tests/tools/build_llama_quantize.sh's WORKDIR), the models of
QUANTIZED: an F32 GGUF quantized by llama.cpp's own llama-quantize into each of their mixes
(model-<mix>.gguf; no Hugging Face folder), with reference.safetensors holding ids and, per mix,
  <mix>_logits          (96, vocab) transformers on the weights as the gguf package dequantizes
                        them (f32 activations: what xval computes)
  <mix>_llamacpp_logits (96, vocab) llama.cpp on the same file, the 96 tokens as one batch
                        (its products quantize the activations to 8 bits: a looser reference)
and dequantized.txt: a line "<mix> <tensor> <ggml type> <hash>" per tensor, the hash the FNV-1a
64 of the gguf package's dequantization (f32 bytes, row-major), which the C++ dequantization
must reproduce bit for bit.

Usage: python3 tests/tools/make_tiny_llama.py [--out tests/golden/model]
       python3 tests/tools/make_tiny_llama.py --only q4k_gqa --quantize-tools /tmp/llamacpp-ref
       python3 tests/tools/make_tiny_llama.py --bench DIR --hidden 1024 ... (benchmark model)
Needs: pip install torch transformers safetensors gguf numpy
"""
import argparse
import copy
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file, save_file

import gguf
import transformers
from transformers import (LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM,
                          Qwen2Config, Qwen2ForCausalLM)

PREFILL, DECODE = 64, 32
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XVAL_TOKENIZER = os.path.join(SOURCE_DIR, "..", "shared", "data", "tokenizers", "xval",
                              "tokenizer.json")

# name: (config overrides, extras). Shapes cover multi-head and grouped-query attention, tied
# and untied heads, head_dim != hidden/heads and odd head counts, rope_theta and Llama-3
# rope_scaling, both number heads, bf16 weights and sharded safetensors; and the Llama family:
# Mistral's sliding window (on every layer; shorter than the prefill, so both attention paths
# cut it) and Qwen2's q/k/v biases with a window on its upper layer only.
MODELS = {
    "mha_tied": (dict(hidden_size=32, intermediate_size=64, num_attention_heads=4,
                      num_key_value_heads=4, vocab_size=96, tie_word_embeddings=True),
                 dict(q8=True)),
    "gqa_untied": (dict(hidden_size=48, intermediate_size=80, num_attention_heads=6,
                        num_key_value_heads=2, vocab_size=128, rope_theta=1e6),
                   dict(shards=True)),
    "odd_heads": (dict(hidden_size=40, intermediate_size=56, num_attention_heads=5,
                       num_key_value_heads=1, head_dim=6, vocab_size=100, rms_norm_eps=1e-5),
                  dict()),
    "llama3_rope": (dict(hidden_size=32, intermediate_size=48, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=90, rope_theta=500000.0,
                         rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                           high_freq_factor=4.0,
                                           original_max_position_embeddings=32)),
                    dict(gguf=False)),
    "xval_mlp": (dict(hidden_size=32, intermediate_size=64, num_attention_heads=4,
                      num_key_value_heads=2, vocab_size=27, bos_token_id=None, eos_token_id=0),
                 dict(number_head="mlp", num_token_id=3, tokenizer=True)),
    "xval_linear_bf16": (dict(hidden_size=48, intermediate_size=96, num_attention_heads=3,
                              num_key_value_heads=3, vocab_size=64),
                         dict(number_head="linear", num_token_id=5, dtype=torch.bfloat16)),
    "mistral_window": (dict(hidden_size=32, intermediate_size=64, num_attention_heads=4,
                            num_key_value_heads=2, vocab_size=80, sliding_window=16),
                       dict(family="mistral", number_head="linear", num_token_id=4)),
    "qwen2_bias": (dict(hidden_size=48, intermediate_size=96, num_attention_heads=6,
                        num_key_value_heads=2, vocab_size=72, rope_theta=1e6,
                        use_sliding_window=True, sliding_window=12, max_window_layers=1),
                   dict(family="qwen2")),
}
FAMILIES = {"llama": (LlamaConfig, LlamaForCausalLM), "mistral": (MistralConfig, MistralForCausalLM),
            "qwen2": (Qwen2Config, Qwen2ForCausalLM)}

# name: (config overrides, llama-quantize mixes). Rows of 256 (hidden and intermediate sizes)
# so that every matrix takes the k-quants (llama-quantize falls back to other types otherwise).
QUANTIZED = {
    "q4k_gqa": (dict(hidden_size=256, intermediate_size=512, num_attention_heads=4,
                     num_key_value_heads=2, vocab_size=96, initializer_range=0.05),
                ["Q4_K_M", "Q5_K_M", "Q4_0"]),
}


def make_model(overrides, seed, family="llama"):
    torch.manual_seed(seed)
    kw = dict(num_hidden_layers=2, max_position_embeddings=256, initializer_range=0.15,
              rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2)
    kw.update(overrides)
    config_class, model_class = FAMILIES[family]
    config = config_class(**kw)
    config._attn_implementation = "eager"
    model = model_class(config).eval()
    want = overrides.get("rope_theta", 10000.0)
    assert config.rope_parameters["rope_theta"] == want, config.rope_parameters
    with torch.no_grad():  # norm weights away from 1 and biases away from 0 (their init)
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.2 * torch.randn_like(p))
    return model


def make_number_head(kind, hidden, seed):
    torch.manual_seed(seed + 1000)
    if kind == "linear":
        head = torch.nn.Linear(hidden, 1)
    else:  # the paper's two-layer MLP: Linear -> GELU -> Linear
        head = torch.nn.Sequential(torch.nn.Linear(hidden, 2 * hidden), torch.nn.GELU(),
                                   torch.nn.Linear(2 * hidden, 1))
    return head.eval()


@torch.no_grad()
def run_reference(model, ids, values, head):
    """Prefill 64 then decode 32 one at a time through the cache; returns logits, numbers."""
    embed = model.get_input_embeddings()
    x = embed(ids[None]) if values is None else embed(ids[None]) * values[None, :, None].to(
        embed.weight.dtype)
    logits, hidden = [], []
    out = model(inputs_embeds=x[:, :PREFILL], use_cache=True, output_hidden_states=True)
    logits.append(out.logits[0].float())
    hidden.append(out.hidden_states[-1][0].float())
    cache = out.past_key_values
    for t in range(PREFILL, PREFILL + DECODE):
        out = model(inputs_embeds=x[:, t:t + 1], past_key_values=cache, use_cache=True,
                    output_hidden_states=True)
        cache = out.past_key_values
        logits.append(out.logits[0].float())
        hidden.append(out.hidden_states[-1][0].float())
    logits = torch.cat(logits)
    hidden = torch.cat(hidden)  # LlamaModel's last hidden state is after the final norm
    numbers = head.float()(hidden)[:, 0] if head is not None else None
    return logits, numbers


def permute_for_gguf(w, n_head):
    # llama.cpp convert_hf_to_gguf.py LlamaModel.permute: rotate-half pairs to adjacent pairs.
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


GGUF_NAMES = {
    "model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight", "input_layernorm": "attn_norm",
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
}


def gguf_name(name):
    if name in GGUF_NAMES:
        return GGUF_NAMES[name]
    if name.startswith("model.layers."):
        _, _, i, rest = name.split(".", 3)
        base, suffix = rest.rsplit(".", 1)
        return f"blk.{i}.{GGUF_NAMES[base]}.{suffix}"
    return name  # num_head.*


def gguf_arch(config):
    """llama.cpp's architecture name: its converter writes Mistral as llama."""
    return "qwen2" if config.model_type == "qwen2" else "llama"


def gguf_metadata(path, config, tokens, extra_kv, qtype):
    """A GGUFWriter for `path` with the metadata of config and the token list."""
    c = config
    head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    w = gguf.GGUFWriter(path, gguf_arch(c))
    w.add_context_length(c.max_position_embeddings)
    w.add_embedding_length(c.hidden_size)
    w.add_block_count(c.num_hidden_layers)
    w.add_feed_forward_length(c.intermediate_size)
    w.add_head_count(c.num_attention_heads)
    w.add_head_count_kv(c.num_key_value_heads)
    w.add_layer_norm_rms_eps(c.rms_norm_eps)
    w.add_rope_freq_base(c.rope_parameters["rope_theta"])
    w.add_rope_dimension_count(head_dim)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_vocab_size(c.vocab_size)
    if getattr(c, "sliding_window", None):
        w.add_sliding_window(c.sliding_window)
        if getattr(c, "layer_types", None):
            w.add_sliding_window_pattern([t == "sliding_attention" for t in c.layer_types])
    w.add_file_type({"F32": 0, "F16": 1, "Q8_0": 7, "BF16": 32}[qtype])
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([0.0] * len(tokens))
    w.add_token_types([1] * len(tokens))
    if c.bos_token_id is not None and c.bos_token_id >= 0:
        w.add_bos_token_id(c.bos_token_id)
    if c.eos_token_id is not None and c.eos_token_id >= 0:
        w.add_eos_token_id(c.eos_token_id)
    for key, value in extra_kv.items():
        (w.add_string if isinstance(value, str) else w.add_int32)(key, value)
    return w


def write_gguf(path, config, state, tokens, extra_kv, qtype):
    """qtype: 'F32', 'F16', 'BF16' or 'Q8_0' for the 2-D weights; norms and biases stay F32."""
    c = config
    w = gguf_metadata(path, config, tokens, extra_kv, qtype)
    dequantized = {}
    for name, t in state.items():
        if name == "lm_head.weight" and c.tie_word_embeddings:
            continue
        a = t.float().numpy()
        # llama.cpp permutes llama's q/k rows (and biases) for its adjacent-pair RoPE; qwen2
        # keeps transformers' order (NEOX RoPE).
        if gguf_arch(c) == "llama" and name.endswith("q_proj.weight"):
            a = permute_for_gguf(a, c.num_attention_heads)
        elif gguf_arch(c) == "llama" and name.endswith("k_proj.weight"):
            a = permute_for_gguf(a, c.num_key_value_heads)
        a = np.ascontiguousarray(a, dtype=np.float32)
        if a.ndim == 2 and qtype != "F32":
            kind = getattr(gguf.GGMLQuantizationType, qtype)
            q = gguf.quants.quantize(a, kind)
            w.add_tensor(gguf_name(name), q, raw_dtype=kind)
            dequantized[name] = gguf.quants.dequantize(q, kind)
        else:
            w.add_tensor(gguf_name(name), a)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return dequantized


def unpermute(a, n_head):
    return (a.reshape(n_head, a.shape[0] // n_head // 2, 2, *a.shape[1:])
            .swapaxes(1, 2).reshape(a.shape))


def build(name, overrides, extras, out_root, seed):
    out = os.path.join(out_root, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model = make_model(overrides, seed, extras.get("family", "llama"))
    config = model.config
    dtype = extras.get("dtype", torch.float32)
    head = None
    if "number_head" in extras:
        head = make_number_head(extras["number_head"], config.hidden_size, seed)

    gen = torch.Generator().manual_seed(seed)
    n = PREFILL + DECODE
    ids = torch.randint(0, config.vocab_size, (n,), generator=gen)
    num_id = extras.get("num_token_id", -1)
    if num_id >= 0:  # a [NUM] every few tokens, with values of both signs and magnitudes
        ids[torch.arange(2, n, 5)] = num_id
        values = torch.ones(n)
        mask = ids == num_id
        values[mask] = (torch.rand(int(mask.sum()), generator=gen) * 8 - 4)
    else:  # no [NUM] in the vocabulary: scale random positions, which exercises the same path
        values = torch.ones(n)
        pos = torch.arange(1, n, 3)
        values[pos] = torch.rand(len(pos), generator=gen) * 4 - 2

    model = model.to(dtype)
    if head is not None:
        head = head.to(dtype)
    # Hugging Face folder; config.json gains the xVal keys; the number head joins the weights.
    shard = "20KB" if extras.get("shards") else "50GB"
    model.save_pretrained(out, max_shard_size=shard)
    cfg = json.load(open(os.path.join(out, "config.json")))
    if head is not None:
        cfg["xval_num_token_id"] = num_id
        cfg["xval_number_head"] = extras["number_head"]
        if extras["number_head"] == "mlp":
            cfg["xval_number_head_intermediate_size"] = 2 * config.hidden_size
        state = load_file(os.path.join(out, "model.safetensors"))
        for k, v in head.state_dict().items():
            state[f"num_head.{k}"] = v.contiguous()
        save_file(state, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2, sort_keys=True)
    if extras.get("tokenizer"):
        shutil.copy(XVAL_TOKENIZER, os.path.join(out, "tokenizer.json"))

    ref = {}
    if dtype != torch.float32:
        # As a user loads the bf16 folder: from_pretrained in bf16 (transformers end to end in
        # bf16, activations rounded after every op; kept for the record as bf16_run_*) and in
        # f32 (the same bf16 weights with f32 activations: the parity reference). Not
        # model.to(bf16), which would also round the rotary inv_freq buffer.
        run16 = LlamaForCausalLM.from_pretrained(out, dtype=torch.bfloat16).eval()
        run16.config._attn_implementation = "eager"
        ref["bf16_run_logits"], _ = run_reference(run16, ids, None, None)
        ref["bf16_run_xval_logits"], _ = run_reference(run16, ids, values, head)
        wide = LlamaForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
        wide.config._attn_implementation = "eager"
        wide_head = copy.deepcopy(head).float() if head is not None else None
    else:
        wide, wide_head = model, head
    logits, _ = run_reference(wide, ids, None, None)
    xval_logits, numbers = run_reference(wide, ids, values, wide_head)
    ref.update({"ids": ids.float(), "values": values.float(), "logits": logits,
                "xval_logits": xval_logits})
    if numbers is not None:
        ref["numbers"] = numbers

    if extras.get("gguf", True) and dtype == torch.float32:
        state = dict(model.state_dict())
        if head is not None:
            state.update({f"num_head.{k}": v for k, v in head.state_dict().items()})
        if extras.get("tokenizer"):
            tokens = [t["content"] for t in json.load(open(XVAL_TOKENIZER))["added_tokens"]]
        else:
            tokens = ["<unk>", "<s>", "</s>"] + [f"t{i}" for i in range(3, config.vocab_size)]
        kv = {}
        if head is not None:
            kv = {"xval.num_token_id": num_id, "xval.number_head": extras["number_head"]}
            if extras["number_head"] == "mlp":
                kv["xval.number_head_intermediate_size"] = 2 * config.hidden_size
        write_gguf(os.path.join(out, "model.gguf"), config, state, tokens, kv, "F32")
        if extras.get("q8"):
            deq = write_gguf(os.path.join(out, "model-q8_0.gguf"), config, state, tokens, kv,
                             "Q8_0")
            # transformers on the dequantized weights (q/k rows back in transformers' order).
            q8 = make_model(overrides, seed)
            sd = q8.state_dict()
            with torch.no_grad():
                for k, a in deq.items():
                    if k.endswith("q_proj.weight"):
                        a = unpermute(a, config.num_attention_heads)
                    elif k.endswith("k_proj.weight"):
                        a = unpermute(a, config.num_key_value_heads)
                    sd[k].copy_(torch.from_numpy(np.ascontiguousarray(a)))
                sd.update({k: v for k, v in model.state_dict().items() if "norm" in k})
                q8.load_state_dict(sd)
            if config.tie_word_embeddings:
                q8.tie_weights()
            ref["gguf_q8_logits"], _ = run_reference(q8, ids, None, None)
    save_file({k: v.contiguous().float() for k, v in ref.items()},
              os.path.join(out, "reference.safetensors"))
    print(name, "written to", out)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:  # small tensors only: the tiny models' (a few MB in all)
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def build_quantized(name, overrides, mixes, out_root, seed, tools):
    out = os.path.join(out_root, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model = make_model(overrides, seed)
    config = model.config
    gen = torch.Generator().manual_seed(seed)
    n = PREFILL + DECODE
    ids = torch.randint(0, config.vocab_size, (n,), generator=gen)
    tokens = ["<unk>", "<s>", "</s>"] + [f"t{i}" for i in range(3, config.vocab_size)]
    ref = {"ids": ids.float()}
    hashes = []
    with tempfile.TemporaryDirectory() as tmp:
        f32 = os.path.join(tmp, "model-f32.gguf")
        write_gguf(f32, config, dict(model.state_dict()), tokens, {}, "F32")
        for mix in mixes:
            path = os.path.join(out, f"model-{mix.lower()}.gguf")
            subprocess.run([os.path.join(tools, "llama.cpp", "build", "bin", "llama-quantize"),
                            f32, path, mix], check=True, capture_output=True)
            reader = gguf.GGUFReader(path)
            deq = {}
            for t in reader.tensors:
                a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
                hashes.append(f"{mix.lower()} {t.name} {t.tensor_type.name} "
                              f"{fnv1a64(np.ascontiguousarray(a).tobytes())}\n")
                deq[t.name] = a
            # transformers on the dequantized weights (q/k rows back in transformers' order).
            q = make_model(overrides, seed)
            sd = q.state_dict()
            with torch.no_grad():
                for k in sd:
                    a = deq[gguf_name(k)].reshape(sd[k].shape)
                    if k.endswith("q_proj.weight"):
                        a = unpermute(a, config.num_attention_heads)
                    elif k.endswith("k_proj.weight"):
                        a = unpermute(a, config.num_key_value_heads)
                    sd[k].copy_(torch.from_numpy(np.ascontiguousarray(a)))
                q.load_state_dict(sd)
            ref[f"{mix.lower()}_logits"], _ = run_reference(q, ids, None, None)
            run = subprocess.run([os.path.join(tools, "llama_logits"), path],
                                 input=" ".join(str(int(i)) for i in ids).encode(),
                                 check=True, capture_output=True)
            ref[f"{mix.lower()}_llamacpp_logits"] = torch.from_numpy(
                np.frombuffer(run.stdout, dtype="<f4").reshape(n, config.vocab_size).copy())
    save_file({k: v.contiguous().float() for k, v in ref.items()},
              os.path.join(out, "reference.safetensors"))
    with open(os.path.join(out, "dequantized.txt"), "w") as f:
        f.writelines(hashes)
    print(name, "written to", out)


def build_bench(out, hidden, layers, heads, kv_heads, inter, vocab, qtype):
    """A random model of benchmark size as GGUF only (llama.cpp reads the same file). Tensors
    are made and written one at a time, so a Llemma-7B-shaped model (13.5 GB in F16) needs
    memory for its largest tensor only. Weights are N(0, 0.02) (norms 1): random values serve
    a speed benchmark as well as trained ones, and q/k are left unpermuted for the same reason.
    """
    config = LlamaConfig(hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
                         num_attention_heads=heads, num_key_value_heads=kv_heads,
                         vocab_size=vocab, max_position_embeddings=4096, rms_norm_eps=1e-5,
                         initializer_range=0.02, tie_word_embeddings=False)
    with torch.device("meta"):
        shapes = {k: tuple(p.shape) for k, p in LlamaForCausalLM(config).state_dict().items()}
    from sentencepiece import SentencePieceProcessor
    sp = SentencePieceProcessor(model_file=os.path.join(SOURCE_DIR, "..", "shared", "data",
                                                        "tokenizers", "llama2",
                                                        "tokenizer.model"))
    tokens = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    tokens += [f"<extra_{i}>" for i in range(vocab - len(tokens))]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"bench-{qtype.lower()}.gguf")
    w = gguf_metadata(path, config, tokens[:vocab], {}, qtype)
    rng = np.random.default_rng(0)
    kind = getattr(gguf.GGMLQuantizationType, qtype)

    def make(name, shape):
        if "norm" in name:
            return np.ones(shape, np.float32)
        a = rng.standard_normal(shape, dtype=np.float32)
        a *= 0.02
        return a if qtype == "F32" else gguf.quants.quantize(a, kind)

    for name, shape in shapes.items():  # the plan: names, shapes and types, as add_tensor sees them
        if qtype == "F32" or "norm" in name:
            w.add_tensor_info(gguf_name(name), shape, np.dtype(np.float32), 4 * int(np.prod(shape)))
            continue
        row = gguf.quants.quantize(np.zeros((1, shape[-1]), np.float32), kind)  # one row's layout
        stored = (*shape[:-1], row.shape[-1])
        w.add_tensor_info(gguf_name(name), stored, row.dtype,
                          int(np.prod(stored)) * row.itemsize, raw_dtype=kind)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    for name, shape in shapes.items():
        w.write_tensor_data(make(name, shape))
    w.close()
    params = sum(int(np.prod(s)) for s in shapes.values())
    print(f"{params / 1e6:.1f} M parameters written to {path}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(SOURCE_DIR, "tests", "golden", "model"))
    p.add_argument("--only", default="")
    p.add_argument("--bench", default="", help="write a benchmark-size GGUF into this folder")
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--heads", type=int, default=16)
    p.add_argument("--kv-heads", type=int, default=16)
    p.add_argument("--intermediate", type=int, default=2816)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--type", default="F16")
    p.add_argument("--quantize-tools", default="",
                   help="build_llama_quantize.sh's WORKDIR: also write the QUANTIZED models")
    args = p.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    if args.bench:
        build_bench(args.bench, args.hidden, args.layers, args.heads, args.kv_heads,
                    args.intermediate, args.vocab, args.type)
        return
    for i, (name, (overrides, extras)) in enumerate(MODELS.items()):
        if args.only and name != args.only:
            continue
        build(name, overrides, extras, args.out, seed=1234 + i)
    for i, (name, (overrides, mixes)) in enumerate(QUANTIZED.items()):
        if args.quantize_tools and (not args.only or name == args.only):
            build_quantized(name, overrides, mixes, args.out, 2234 + i, args.quantize_tools)
    print("torch", torch.__version__, "transformers", transformers.__version__)


if __name__ == "__main__":
    main()
