#!/usr/bin/env python3
"""The Python peers of `bayeslora bench train|ensemble --shape mistral7b`, for the same GPU in the same run.

A random model with Mistral-7B-v0.1's shape in bf16 (transformers, SDPA attention), LoRA r=8 (alpha 16) on q_proj and
v_proj with peft (adapters stay float32 on the bf16 base, peft's default), random prompts of a fixed length and four
answer tokens read at the last position:
  train     one step = forward + NLL of the answer tokens + backward + grad-norm clip 1.0 + AdamW, like the Java trainer
  ensemble  M adapters run one after another (peft's way: set_adapter, forward without gradients), against one member
            and against the bare base model (PyTorch without peft)
Prints a table and writes JSON (--out). Times are means over the timed repetitions after one warm-up, synchronised
with the GPU; memory is torch.cuda.max_memory_allocated during the timed part.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
from transformers import MistralConfig, MistralForCausalLM
from peft import LoraConfig, get_peft_model

ANSWERS = [10, 11, 12, 13]


def config():
    return MistralConfig(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                         num_attention_heads=32, num_key_value_heads=8, rms_norm_eps=1e-5, rope_theta=10000.0,
                         tie_word_embeddings=False, max_position_embeddings=4096, sliding_window=None)


def base_model():
    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)
    with torch.device("cuda"):
        model = MistralForCausalLM(config())
    torch.set_default_dtype(torch.float32)
    model.config.use_cache = False
    return model.eval()


def lora():
    return LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "v_proj"])


def last_logits(model, ids):
    try:
        out = model(input_ids=ids, logits_to_keep=1)
    except TypeError:  # older transformers
        out = model(input_ids=ids)
    return out.logits[:, -1, ANSWERS].float()


def timed(fn, reps):
    fn()  # warm-up
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps, torch.cuda.max_memory_allocated()


def train(args):
    model = get_peft_model(base_model(), lora())
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    g = torch.Generator(device="cuda").manual_seed(1)
    ids = torch.randint(100, 31100, (args.batch, args.length), device="cuda", generator=g)
    labels = torch.randint(0, 4, (args.batch,), device="cuda", generator=g)

    def step():
        loss = F.cross_entropy(last_logits(model, ids), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    def forward():
        with torch.no_grad():
            last_logits(model, ids)

    fwd, _ = timed(forward, args.steps)
    sec, peak = timed(step, args.steps)
    return [{"mode": "peft forward (no grad)", "seconds": fwd, "tokens/s": args.batch * args.length / fwd},
            {"mode": "peft train step (fwd+bwd+AdamW)", "seconds": sec, "tokens/s": args.batch * args.length / sec,
             "peak_mb": peak / 2**20}]


def ensemble(args):
    base = base_model()
    g = torch.Generator(device="cuda").manual_seed(2)
    ids = torch.randint(100, 31100, (args.batch, args.length), device="cuda", generator=g)

    def bare():
        with torch.no_grad():
            last_logits(base, ids).softmax(-1)

    bare_sec, bare_peak = timed(bare, args.rounds)
    model = get_peft_model(base, lora(), adapter_name="m0")
    for m in range(1, args.members):
        model.add_adapter(f"m{m}", lora())
    with torch.no_grad():  # B = 0 at init would make every member the base model: give each its own B
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
    model.eval()

    def members(m):
        def run():
            with torch.no_grad():
                for k in range(m):
                    model.set_adapter(f"m{k}")
                    last_logits(model, ids).softmax(-1)
        return run

    one_sec, one_peak = timed(members(1), args.rounds)
    all_sec, all_peak = timed(members(args.members), args.rounds)
    return [{"mode": "PyTorch base model (no adapters)", "seconds": bare_sec, "peak_mb": bare_peak / 2**20},
            {"mode": "peft one member", "seconds": one_sec, "peak_mb": one_peak / 2**20},
            {"mode": f"peft M={args.members} sequential", "seconds": all_sec, "peak_mb": all_peak / 2**20,
             "x one member": all_sec / one_sec}]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "ensemble"])
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--length", type=int, default=256)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = train(args) if args.mode == "train" else ensemble(args)
    env = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0), "batch": args.batch,
           "length": args.length, "dtype": "bfloat16", "lora": "r=8, alpha=16, q_proj+v_proj"}
    for r in rows:
        print("  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()))
    with open(args.out, "w") as f:
        json.dump({"benchmark": "peer-" + args.mode, "env": env, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
