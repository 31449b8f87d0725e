"""Reads a Hugging Face model folder (config.json plus model.safetensors, or shards listed in
model.safetensors.index.json) into a typed decoder config and float32 weights.

Config defaults follow transformers' LlamaConfig and Qwen2Config. Family differences that matter
here: LLaMA has q/k/v/o biases only when `attention_bias` is true (o_proj included, as in
transformers) and MLP biases when `mlp_bias` is true; Qwen2 always has q/k/v biases and never an
o_proj or MLP bias.
"""
import json
import os
from dataclasses import dataclass

import numpy as np

from . import safetensors_file


class CheckpointError(ValueError):
    """A model folder that cannot be used, with the file named in the message."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")


# model_type values whose decoder is a LLaMA (LLaVA-3D's own config says llava_llama).
_LLAMA_TYPES = {"llama", "llava_llama", "llava"}
_QWEN2_TYPES = {"qwen2", "llava_qwen", "llava_qwen2"}


@dataclass(frozen=True)
class DecoderConfig:
    family: str               # "llama" or "qwen2"
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    rms_norm_eps: float
    rope_theta: float
    tie_word_embeddings: bool
    qkv_bias: bool
    o_bias: bool
    mlp_bias: bool

    @staticmethod
    def from_json(config, path="config.json"):
        def need(key):
            if key not in config:
                raise CheckpointError(path, f"missing required key {key!r}")
            return config[key]

        model_type = config.get("model_type")
        if model_type is None:
            archs = " ".join(config.get("architectures") or [])
            model_type = "qwen2" if "Qwen2" in archs else "llama" if "Llama" in archs else None
        if model_type in _LLAMA_TYPES:
            family = "llama"
        elif model_type in _QWEN2_TYPES:
            family = "qwen2"
        else:
            raise CheckpointError(path, f"model_type {model_type!r} is neither a LLaMA nor a Qwen2 decoder")
        if config.get("hidden_act", "silu") not in ("silu", "swish"):
            raise CheckpointError(path, f"hidden_act {config['hidden_act']!r} is not supported (SwiGLU needs silu)")
        if config.get("rope_scaling") is not None:
            raise CheckpointError(path, f"rope_scaling {config['rope_scaling']!r} is not supported (only plain RoPE)")
        if family == "qwen2" and config.get("use_sliding_window", False):
            raise CheckpointError(path, "use_sliding_window=true is not supported")
        hidden = int(need("hidden_size"))
        heads = int(need("num_attention_heads"))
        kv_heads = int(config.get("num_key_value_heads") or heads)
        head_dim = int(config.get("head_dim") or hidden // heads)
        if heads <= 0 or kv_heads <= 0 or heads % kv_heads:
            raise CheckpointError(path, f"num_attention_heads {heads} must be a positive multiple of num_key_value_heads {kv_heads}")
        if head_dim <= 0 or head_dim % 2:
            raise CheckpointError(path, f"head_dim {head_dim} must be positive and even for rotate_half RoPE")
        if family == "llama":
            qkv_bias = o_bias = bool(config.get("attention_bias", False))
            mlp_bias = bool(config.get("mlp_bias", False))
        else:
            qkv_bias, o_bias, mlp_bias = True, False, False
        return DecoderConfig(
            family=family,
            hidden_size=hidden,
            intermediate_size=int(need("intermediate_size")),
            num_layers=int(need("num_hidden_layers")),
            num_heads=heads,
            num_kv_heads=kv_heads,
            head_dim=head_dim,
            vocab_size=int(need("vocab_size")),
            rms_norm_eps=float(config.get("rms_norm_eps", 1e-6)),
            rope_theta=float(config.get("rope_theta", 10000.0)),
            tie_word_embeddings=bool(config.get("tie_word_embeddings", False)),
            qkv_bias=qkv_bias,
            o_bias=o_bias,
            mlp_bias=mlp_bias,
        )

    def expected_shapes(self):
        """Every decoder tensor name with the shape the config implies."""
        h, f, d = self.hidden_size, self.intermediate_size, self.head_dim
        q, kv = self.num_heads * d, self.num_kv_heads * d
        shapes = {"model.embed_tokens.weight": (self.vocab_size, h), "model.norm.weight": (h,)}
        if not self.tie_word_embeddings:
            shapes["lm_head.weight"] = (self.vocab_size, h)
        for l in range(self.num_layers):
            p = f"model.layers.{l}."
            shapes.update({
                p + "input_layernorm.weight": (h,),
                p + "post_attention_layernorm.weight": (h,),
                p + "self_attn.q_proj.weight": (q, h),
                p + "self_attn.k_proj.weight": (kv, h),
                p + "self_attn.v_proj.weight": (kv, h),
                p + "self_attn.o_proj.weight": (h, q),
                p + "mlp.gate_proj.weight": (f, h),
                p + "mlp.up_proj.weight": (f, h),
                p + "mlp.down_proj.weight": (h, f),
            })
            if self.qkv_bias:
                shapes.update({p + "self_attn.q_proj.bias": (q,), p + "self_attn.k_proj.bias": (kv,),
                               p + "self_attn.v_proj.bias": (kv,)})
            if self.o_bias:
                shapes[p + "self_attn.o_proj.bias"] = (h,)
            if self.mlp_bias:
                shapes.update({p + "mlp.gate_proj.bias": (f,), p + "mlp.up_proj.bias": (f,),
                               p + "mlp.down_proj.bias": (h,)})
        return shapes


@dataclass
class Checkpoint:
    config: DecoderConfig
    raw_config: dict
    weights: dict        # name -> float32 numpy array (F16/BF16 widened exactly)
    dtypes: dict         # name -> stored dtype string


def load(model_dir):
    """Loads config.json and every safetensors tensor of the folder; checks decoder shapes."""
    config_path = os.path.join(model_dir, "config.json")
    try:
        with open(config_path) as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(config_path, "not found") from None
    except json.JSONDecodeError as e:
        raise CheckpointError(config_path, f"not valid JSON: {e}") from None
    config = DecoderConfig.from_json(raw, config_path)
    weights, dtypes = {}, {}
    for file in _weight_files(model_dir):
        st = safetensors_file.read(file)
        for name, array in st.tensors.items():
            dtype = st.dtypes[name]
            if dtype not in ("F32", "F16", "BF16", "F64"):
                raise CheckpointError(file, f"tensor {name} has dtype {dtype}; weights must be F32, F16 or BF16")
            weights[name] = array.astype(np.float32)
            dtypes[name] = dtype
    for name, shape in config.expected_shapes().items():
        if name not in weights:
            raise CheckpointError(model_dir, f"missing tensor {name}")
        if tuple(weights[name].shape) != shape:
            raise CheckpointError(model_dir, f"tensor {name} has shape {list(weights[name].shape)}, config says {list(shape)}")
    return Checkpoint(config, raw, weights, dtypes)


def _weight_files(model_dir):
    index_path = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index_path):
        with open(index_path) as f:
            try:
                weight_map = json.load(f)["weight_map"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise CheckpointError(index_path, "expected a JSON object with a weight_map") from None
        shards = sorted(set(weight_map.values()))
        for shard in shards:
            if os.path.basename(shard) != shard:
                raise CheckpointError(index_path, f"shard name {shard!r} must be a plain file name")
        return [os.path.join(model_dir, s) for s in shards]
    single = os.path.join(model_dir, "model.safetensors")
    if not os.path.exists(single):
        raise CheckpointError(model_dir, "neither model.safetensors nor model.safetensors.index.json found")
    return [single]
