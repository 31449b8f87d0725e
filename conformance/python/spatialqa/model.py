"""The trainable float32 twin of the oracle's decoder (adatoken_oracle.decoder) and projector
(adatoken_oracle.multimodal): the same math, LLaMA layer by layer, written with autograd and with a shared
prefix so that one scene answers many questions in one step.

Training batch layout: B scenes, each one prefix (the text before the spatial block, then the spatial
tokens, possibly a subset of the scene's tokens, at their original positions) and Q questions that all
continue that prefix. The prefix runs once; every question attends to the prefix's keys and values and,
causally, to its own. This is exactly the decoder on each [prefix, question] sequence, only without
recomputing the prefix per question. The exported checkpoint is evaluated by the oracle's own decoder
(spatialqa.evaluate), which is what the reported figures come from.
"""
import json
import math
import os

import numpy as np
import torch
from torch import nn

from adatoken_oracle import safetensors_file


def default_config(vocab_size, mm_hidden, hidden=128, layers=4, heads=4, intermediate=384, rope_theta=10000.0):
    return {
        "architectures": ["LlavaLlamaForCausalLM"],
        "model_type": "llava_llama",
        "hidden_size": hidden,
        "intermediate_size": intermediate,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "vocab_size": vocab_size,
        "max_position_embeddings": 4096,
        "rms_norm_eps": 1e-5,
        "rope_theta": float(rope_theta),
        "rope_scaling": None,
        "hidden_act": "silu",
        "tie_word_embeddings": False,
        "attention_bias": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": "float32",
        "mm_hidden_size": mm_hidden,
        "mm_projector_type": "mlp2x_gelu",
    }


def _checkpoint_name(name, new_layer):
    """The checkpoint's name for this model's parameter `name` when layer `new_layer` (or None) is new: layers
    after it are the checkpoint's one lower; the new layer's own parameters have none (None)."""
    if new_layer is None or not name.startswith("model.layers."):
        return name
    layer = int(name.split(".")[2])
    if layer == new_layer:
        return None
    return name if layer < new_layer else name.replace(f"model.layers.{layer}.", f"model.layers.{layer - 1}.", 1)


class RmsNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + self.eps) * self.weight


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, f = cfg["hidden_size"], cfg["intermediate_size"]
        self.input_layernorm = RmsNorm(h, cfg["rms_norm_eps"])
        self.post_attention_layernorm = RmsNorm(h, cfg["rms_norm_eps"])
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(h, h, bias=False) for _ in range(4))
        self.gate_proj, self.up_proj = nn.Linear(h, f, bias=False), nn.Linear(h, f, bias=False)
        self.down_proj = nn.Linear(f, h, bias=False)


class SpatialQaModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        h = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.head_dim = h // self.heads
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], h)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg["num_hidden_layers"]))
        self.norm = RmsNorm(h, cfg["rms_norm_eps"])
        self.lm_head = nn.Linear(h, cfg["vocab_size"], bias=False)
        self.projector = nn.Sequential(nn.Linear(cfg["mm_hidden_size"], h), nn.GELU(), nn.Linear(h, h))
        inv = cfg["rope_theta"] ** (-torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim)
        self.register_buffer("inv_freq", inv, persistent=False)
        self._init()

    def _init(self, qk_std=0.02):
        depth_scale = 1.0 / math.sqrt(2 * len(self.layers))
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = qk_std if name.endswith(("q_proj.weight", "k_proj.weight")) else 0.02
                nn.init.normal_(p, std=std * (depth_scale if name.endswith(("o_proj.weight", "down_proj.weight")) else 1.0))
            elif name.endswith(".bias"):
                nn.init.zeros_(p)

    def rope(self, x, positions):
        """x [..., heads, m, d], positions [..., m] (broadcast over heads): rotate_half, as the oracle."""
        angles = positions.to(torch.float32)[..., None] * self.inv_freq
        angles = torch.cat((angles, angles), dim=-1).unsqueeze(-3)
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * angles.cos() + rotated * angles.sin()

    def split(self, x):
        """[..., m, h] -> [..., heads, m, d]"""
        return x.view(*x.shape[:-1], self.heads, self.head_dim).transpose(-2, -3)

    def forward(self, prefix_ids, features, feature_pos, feature_valid, question_ids, question_pos, question_valid):
        """prefix_ids [s] (shared text before the block); features [B, M, mm], feature_pos [B, M] positions,
        feature_valid [B, M]; question_ids [B, Q, T], question_pos [B, Q, T], question_valid [B, Q, T].
        Returns the final hidden states of the question rows [B, Q, T, h]."""
        B, M, _ = features.shape
        s = prefix_ids.shape[0]
        text = self.embed_tokens(prefix_ids)[None].expand(B, s, -1)
        xp = torch.cat((text, self.projector(features)), dim=1)                      # [B, P, h]
        pos_p = torch.cat((torch.arange(s).expand(B, s), feature_pos), dim=1)          # [B, P]
        valid_p = torch.cat((torch.ones(B, s, dtype=torch.bool), feature_valid), dim=1)
        xq = self.embed_tokens(question_ids)                                          # [B, Q, T, h]
        T = question_ids.shape[2]
        # Key j is visible to query i iff it is valid and pos_j <= pos_i (padding rows see all valid keys).
        mask_pp = valid_p[:, None, None, :] & (pos_p[:, None, None, :] <= pos_p[:, None, :, None])  # [B,1,P,P]
        mask_qp = valid_p[:, None, None, None, :]                                     # [B,1,1,1,P]
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        mask_qq = causal & question_valid[:, :, None, None, :]                        # [B,Q,1,T,T]
        scale = self.head_dim ** -0.5
        for layer in self.layers:
            hp = layer.input_layernorm(xp)
            hq = layer.input_layernorm(xq)
            qp = self.rope(self.split(layer.q_proj(hp)), pos_p)                       # [B,H,P,d]
            kp = self.rope(self.split(layer.k_proj(hp)), pos_p)
            vp = self.split(layer.v_proj(hp))
            qq = self.rope(self.split(layer.q_proj(hq)), question_pos)                # [B,Q,H,T,d]
            kq = self.rope(self.split(layer.k_proj(hq)), question_pos)
            vq = self.split(layer.v_proj(hq))
            scores = (qp @ kp.transpose(-1, -2)) * scale
            probs = torch.softmax(scores.masked_fill(~mask_pp, float("-inf")), dim=-1)
            ap = (probs @ vp).transpose(1, 2).reshape(B, -1, self.heads * self.head_dim)
            s_qp = torch.einsum("bqhtd,bhpd->bqhtp", qq, kp) * scale
            s_qq = (qq @ kq.transpose(-1, -2)) * scale
            s_qp = s_qp.masked_fill(~mask_qp, float("-inf"))
            s_qq = s_qq.masked_fill(~mask_qq, float("-inf"))
            probs = torch.softmax(torch.cat((s_qp, s_qq), dim=-1), dim=-1)
            P = s_qp.shape[-1]
            aq = torch.einsum("bqhtp,bhpd->bqhtd", probs[..., :P], vp) + probs[..., P:] @ vq
            aq = aq.transpose(2, 3).reshape(*xq.shape[:3], -1)
            xp = xp + layer.o_proj(ap)
            xq = xq + layer.o_proj(aq)
            xp = xp + self.mlp(layer, layer.post_attention_layernorm(xp))
            xq = xq + self.mlp(layer, layer.post_attention_layernorm(xq))
        return self.norm(xq)

    @staticmethod
    def mlp(layer, x):
        return layer.down_proj(nn.functional.silu(layer.gate_proj(x)) * layer.up_proj(x))

    def hf_tensors(self):
        """The weights under Hugging Face / LLaVA names, float32 numpy."""
        return {k: v.detach().to(torch.float32).numpy().copy() for k, v in self.hf_parameters().items()}

    def load(self, model_dir, new_layer=None):
        """Copies the weights of an exported checkpoint (model_dir/model.safetensors) into this model.

        With new_layer=i the checkpoint has one layer fewer: its layers i.. become this model's i+1.., and layer i
        keeps its fresh init but with o_proj and down_proj zeroed, so it adds nothing to the residual stream
        and the grown model computes exactly what the checkpoint did until training moves it."""
        stored = safetensors_file.read(os.path.join(model_dir, "model.safetensors")).tensors
        with torch.no_grad():
            for name, p in self.hf_parameters().items():
                source = _checkpoint_name(name, new_layer)
                if source is None:
                    continue
                if source not in stored or tuple(stored[source].shape) != tuple(p.shape):
                    raise ValueError(f"{model_dir}: {source} is missing or has another shape than {tuple(p.shape)}")
                p.copy_(torch.from_numpy(stored[source].astype(np.float32)))
            if new_layer is not None:
                self.layers[new_layer].o_proj.weight.zero_()
                self.layers[new_layer].down_proj.weight.zero_()

    def hf_parameters(self):
        """The parameters under Hugging Face / LLaVA names."""
        out = {"model.embed_tokens.weight": self.embed_tokens.weight, "model.norm.weight": self.norm.weight,
               "lm_head.weight": self.lm_head.weight,
               "model.mm_projector.0.weight": self.projector[0].weight, "model.mm_projector.0.bias": self.projector[0].bias,
               "model.mm_projector.2.weight": self.projector[2].weight, "model.mm_projector.2.bias": self.projector[2].bias}
        for l, layer in enumerate(self.layers):
            p = f"model.layers.{l}."
            out[p + "input_layernorm.weight"] = layer.input_layernorm.weight
            out[p + "post_attention_layernorm.weight"] = layer.post_attention_layernorm.weight
            for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
                out[p + f"self_attn.{name}.weight"] = getattr(layer, name).weight
            for name in ("gate_proj", "up_proj", "down_proj"):
                out[p + f"mlp.{name}.weight"] = getattr(layer, name).weight
        return out

    def export(self, model_dir, metadata=None):
        """Writes config.json and model.safetensors (F32) into model_dir."""
        os.makedirs(model_dir, exist_ok=True)
        with open(os.path.join(model_dir, "config.json"), "w") as f:
            json.dump(self.cfg, f, indent=2)
            f.write("\n")
        tensors = self.hf_tensors()
        safetensors_file.write(os.path.join(model_dir, "model.safetensors"),
                               {k: (tensors[k], "F32") for k in sorted(tensors)}, {"format": "pt", **(metadata or {})})
