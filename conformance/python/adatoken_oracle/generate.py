"""Fixture generator: python3 -m adatoken_oracle.generate --seed S --count N --out DIR.

Writes DIR/case-XXXX/{model/, inputs.safetensors, expected.safetensors, case.json}, case XXXX
drawn from its own seed [S, XXXX] so that any single case can be regenerated alone with
--start XXXX --count 1. FORMAT.md specifies the layout."""
import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch

from . import FORMAT_VERSION
from . import checkpoint as checkpoint_module
from . import forward as forward_module
from . import request as request_module
from . import safetensors_file
from .decoder import Decoder
from .tolerances import TIE_THRESHOLDS, TOLERANCES

HEAD_DIMS = (8, 16, 32, 64, 128)
ODD_HEAD_DIMS = (12, 24, 40, 48, 80, 96)
TORCH_DTYPE_NAMES = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}


def draw_config(rng, max_hidden):
    family = str(rng.choice(["llama", "qwen2"]))
    head_dim = int(rng.choice(HEAD_DIMS if rng.random() < 0.85 else ODD_HEAD_DIMS))
    head_dim = min(head_dim, max(8, max_hidden))
    heads = int(rng.integers(1, max(1, min(8, max_hidden // head_dim)) + 1))
    kv_heads = int(rng.choice([d for d in range(1, heads + 1) if heads % d == 0]))
    hidden = heads * head_dim
    theta_kind = rng.integers(3)
    theta = 1e4 if theta_kind == 0 else 1e6 if theta_kind == 1 else float(f"{10 ** rng.uniform(2, 7):.6g}")
    config = {
        "architectures": ["LlamaForCausalLM" if family == "llama" else "Qwen2ForCausalLM"],
        "model_type": family,
        "hidden_size": hidden,
        "intermediate_size": int(rng.integers(max(4, hidden // 2), 3 * hidden + 2)),
        "num_hidden_layers": int(rng.integers(1, 5)),
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "vocab_size": int(rng.integers(16, 1001)),
        "max_position_embeddings": 4096,
        "rms_norm_eps": float(rng.choice([1e-5, 1e-6])),
        "rope_theta": theta,
        "rope_scaling": None,
        "hidden_act": "silu",
        "tie_word_embeddings": bool(rng.random() < 0.5),
        "bos_token_id": 1,
        "eos_token_id": 2,
    }
    if family == "llama":
        # Written for LLaMA (transformers reads it); left out for Qwen2 to exercise hidden // heads.
        config["head_dim"] = head_dim
        config["attention_bias"] = bool(rng.random() < 0.35)
        config["mlp_bias"] = False
    else:
        config["use_sliding_window"] = False
    return config


def embedding_scale(config):
    return 1.0 / np.sqrt(config["hidden_size"]) if config["tie_word_embeddings"] else 1.0


def draw_weights(rng, config):
    """Random weights of a sane scale (normal(mean, standard deviation)): linear layers
    normal(0, 1/sqrt(fan_in)) so activations stay O(1); norms near 1; q/k scaled by a per-case
    factor so attention is neither uniform nor one-hot; biases small. Embeddings are normal(0, 1),
    or normal(0, 1/sqrt(hidden)) when tied: a tied head reads the residual stream, which still
    holds the token's own embedding, and unit embeddings would give that token a logit of about
    hidden_size."""
    cfg = checkpoint_module.DecoderConfig.from_json(config)
    sharpness = float(rng.uniform(0.8, 1.5))
    weights = {}
    for name, shape in cfg.expected_shapes().items():
        if name == "model.embed_tokens.weight":
            w = rng.standard_normal(shape, dtype=np.float32) * embedding_scale(config)
        elif name.endswith("norm.weight") or name.endswith("layernorm.weight"):
            w = 1.0 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
        elif name.endswith(".bias"):
            w = (0.3 if "q_proj" in name or "k_proj" in name else 0.05) * rng.standard_normal(shape, dtype=np.float32)
        else:
            w = rng.standard_normal(shape, dtype=np.float32) / np.sqrt(shape[1])
            if "q_proj" in name or "k_proj" in name:
                w = w * sharpness
        weights[name] = w.astype(np.float32)
    return weights, sharpness


def draw_request(rng, config, max_seq):
    """input_ids, optional spatial_embeds, and the request metadata (strings)."""
    layers, vocab = config["num_hidden_layers"], config["vocab_size"]
    n = int(rng.integers(1, min(16, max_seq) + 1)) if rng.random() < 0.25 else int(rng.integers(1, max_seq + 1))
    tensors = {"input_ids": rng.integers(0, vocab, size=n).astype(np.int64 if rng.random() < 0.8 else np.int32)}
    meta = {}
    if n >= 2 and rng.random() < 0.5:
        s = int(rng.integers(0, n - 1))
        count = int(rng.integers(1, n - s))
        meta["spatial_start"], meta["spatial_count"] = str(s), str(count)
        if rng.random() < 0.5:
            scale = rng.uniform(0.5, 2.0) * embedding_scale(config)
            tensors["spatial_embeds"] = (scale * rng.standard_normal((count, config["hidden_size"]))).astype(np.float32)
        if rng.random() < 0.4:
            meta["query"] = "instruction"
        elif rng.random() < 0.5:
            meta["query"] = "last"
        if rng.random() < 0.75:
            if rng.random() < 0.55:
                tau = rng.choice([0.0, 0.01, 0.05, 0.1, 0.2, 0.5, -1.0])
                tau = float(f"{rng.uniform(0, 0.6):.4g}") if tau < 0 else float(tau)
                meta["prune"] = f"tau={tau!r}"
            else:
                ratio = rng.choice([0.0, 0.1, 0.25, 0.3, 0.5, 0.75, 1.0, -1.0])
                ratio = float(f"{rng.uniform(0, 1):.4g}") if ratio < 0 else float(ratio)
                meta["prune"] = f"keep={ratio!r}"
            k = int(rng.integers(1, layers + 1))
            if k != request_module.DEFAULT_PRUNE_LAYER or rng.random() < 0.5:
                meta["prune_layer"] = str(k)
            if rng.random() < 0.3:
                meta["min_keep"] = str(int(rng.integers(0, count + 1)))
            if rng.random() < 0.3:
                low = int(meta.get("min_keep", "1"))
                meta["max_keep"] = str(int(rng.integers(low, count + 3)))
        elif rng.random() < 0.5:
            meta["prune"] = "none"
    generate = int(rng.integers(0, 9))
    if generate or rng.random() < 0.3:
        meta["generate"] = str(generate)
    return tensors, meta


def write_case(case_dir, seed, index, max_seq, max_hidden):
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    config = draw_config(rng, max_hidden)
    dtype = str(rng.choice(["F32", "BF16", "F16"]))
    config["torch_dtype"] = TORCH_DTYPE_NAMES[dtype]
    weights, sharpness = draw_weights(rng, config)
    tensors, meta = draw_request(rng, config, max_seq)

    model_dir = os.path.join(case_dir, "model")
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    safetensors_file.write(os.path.join(model_dir, "model.safetensors"),
                           {name: (w, dtype) for name, w in weights.items()}, {"format": "pt"})
    inputs_path = os.path.join(case_dir, "inputs.safetensors")
    safetensors_file.write(inputs_path, tensors, meta)

    # Read everything back as any consumer would, so the expected values come from the stored
    # (rounded) weights and the request exactly as written.
    ckpt = checkpoint_module.load(model_dir)
    request = request_module.read(inputs_path, ckpt.config)
    outputs = forward_module.run(Decoder(ckpt, torch.float64), request)
    safetensors_file.write(os.path.join(case_dir, "expected.safetensors"), outputs,
                           {"oracle": "adatoken_oracle", "precision": "float64", "torch": torch.__version__})

    n = len(request.input_ids)
    case = {
        "format": FORMAT_VERSION,
        "case": os.path.basename(case_dir),
        "seed": seed,
        "index": index,
        "family": ckpt.config.family,
        "weight_dtype": dtype,
        "config": config,
        "attention_sharpness": sharpness,
        "request": meta,
        "sequence_length": n,
        "spatial_block": None if request.spatial is None else [request.spatial.start, request.spatial.count],
        "spatial_embeds": "spatial_embeds" in tensors,
        "outputs": {name: {"dtype": safetensors_file._dtype_name(a), "shape": list(a.shape)}
                    for name, a in outputs.items()},
        "tolerances": TOLERANCES,
        "tie_thresholds": TIE_THRESHOLDS,
        "margins": {
            "gate": _finite_or_none(outputs["gate_margin"][0]) if "gate_margin" in outputs else None,
            "greedy_min": _finite_or_none(outputs["greedy_margin"].min()) if "greedy_margin" in outputs else None,
        },
        "computed": {
            "by": "adatoken_oracle (conformance/python), forward in float64 from the stored weights widened to f32",
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "replay": f"PYTHONPATH=conformance/python python3 -m adatoken_oracle.generate --seed {seed} "
                  f"--start {index} --count 1 --max-seq {max_seq} --max-hidden {max_hidden} --out DIR",
    }
    with open(os.path.join(case_dir, "case.json"), "w") as f:
        json.dump(case, f, indent=2, allow_nan=False)   # strict JSON: other languages must parse it
        f.write("\n")
    return case


def _finite_or_none(value):
    """case.json is strict JSON, which has no Infinity: an unbounded margin is written as null."""
    value = float(value)
    return value if math.isfinite(value) else None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m adatoken_oracle.generate", description=__doc__)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--start", type=int, default=0, help="index of the first case (default 0)")
    parser.add_argument("--max-seq", type=int, default=300, help="longest prompt (default 300)")
    parser.add_argument("--max-hidden", type=int, default=256, help="largest hidden size (default 256)")
    args = parser.parse_args(argv)
    if args.seed < 0 or args.count < 0 or args.start < 0 or args.max_seq < 1 or args.max_hidden < 8:
        parser.error("seed, count and start must be >= 0, max-seq >= 1, max-hidden >= 8")
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    began = time.perf_counter()
    for index in range(args.start, args.start + args.count):
        write_case(os.path.join(args.out, f"case-{index:04d}"), args.seed, index, args.max_seq, args.max_hidden)
    print(f"generate: wrote {args.count} cases to {args.out} in {time.perf_counter() - began:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
