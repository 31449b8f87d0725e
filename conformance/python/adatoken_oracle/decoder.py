"""The decoder (LLaMA / Qwen2, Hugging Face semantics) with AdaToken gating and greedy decoding.

Precision: weights are widened to float32 exactly as stored (F16/BF16 -> f32), then everything is
computed in float64 by default. The oracle's own rounding error is then ~1e-16 relative, a million
times below an f32 engine's, so a difference between the two is the engine's error alone and the
tolerances measure only that. (An f32 oracle would add its own error of the same size as the
engine's and blur near-ties.) `dtype=torch.float32` is offered to measure what an f32
implementation typically deviates by.

Per layer, as in transformers' LlamaDecoderLayer / Qwen2DecoderLayer:
  h = x + o_proj(attention(rope(q_proj(rms(x))), rope(k_proj(rms(x))), v_proj(rms(x))))
  x' = h + down_proj(silu(gate_proj(rms(h))) * up_proj(rms(h)))
RMSNorm: x / sqrt(mean(x^2) + eps) * weight. RoPE: rotate_half pairs (i, i + head_dim/2), angle
position * theta^(-2i/head_dim). GQA: query head h reads KV head h // (heads / kv_heads).
Attention is causal by position: key j is visible to query i iff pos_j <= pos_i.
"""
from dataclasses import dataclass, field

import numpy as np
import torch

from .gating import choose_keep_set


@dataclass
class SpatialBlock:
    start: int                # s: the block is prompt positions [s, s+N)
    count: int                # N
    embeds: np.ndarray = None  # optional [N, hidden] float32 replacing the token embeddings


@dataclass
class LayerCache:
    keys: torch.Tensor        # [kv_heads, m, head_dim], RoPE applied
    values: torch.Tensor      # [kv_heads, m, head_dim]
    positions: torch.Tensor   # [m] int64


@dataclass
class PrefillResult:
    rows: np.ndarray          # original positions of the prompt rows that reach the last layer
    hidden: torch.Tensor      # [r, hidden] after the final norm
    logits: torch.Tensor      # [r, vocab]
    caches: list
    contribution: np.ndarray = None   # [L, N]
    spatial_share: np.ndarray = None  # [L]
    gate: object = None               # GateDecision
    prompt_length: int = 0


@dataclass
class GreedyResult:
    ids: list = field(default_factory=list)
    margins: list = field(default_factory=list)   # top-1 minus top-2 logit at each step


class Decoder:
    def __init__(self, checkpoint, dtype=torch.float64):
        self.config = checkpoint.config
        self.dtype = dtype
        cfg = self.config
        # Only the tensors the config implies: a stray bias in the file must not switch a bias on.
        self.w = {name: torch.from_numpy(np.ascontiguousarray(checkpoint.weights[name])).to(dtype)
                  for name in cfg.expected_shapes()}
        self.lm_head = self.w["model.embed_tokens.weight" if cfg.tie_word_embeddings else "lm_head.weight"]
        exponents = torch.arange(0, cfg.head_dim, 2, dtype=torch.float64) / cfg.head_dim
        # In float64 the angles are exact to ~1e-16; in float32 they are formed in f32 as
        # transformers does, which is what an f32 engine typically does too.
        self.inv_freq = (cfg.rope_theta ** (-exponents)).to(dtype)

    # --- building blocks -------------------------------------------------------------------

    def rms_norm(self, x, weight):
        variance = (x * x).mean(dim=-1, keepdim=True)
        return x * torch.rsqrt(variance + self.config.rms_norm_eps) * weight

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].T
        bias = self.w.get(name + ".bias")
        return y if bias is None else y + bias

    def rope(self, x, positions):
        """x: [heads, m, head_dim]; rotates pair (i, i + head_dim/2) by position * inv_freq[i]."""
        angles = positions.to(self.dtype)[:, None] * self.inv_freq[None, :]
        angles = torch.cat((angles, angles), dim=-1)
        cos, sin = angles.cos(), angles.sin()
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * cos + rotated * sin

    def mlp(self, x, prefix):
        gate = self.linear(x, prefix + "mlp.gate_proj")
        up = self.linear(x, prefix + "mlp.up_proj")
        return self.linear(torch.nn.functional.silu(gate) * up, prefix + "mlp.down_proj")

    def per_head(self, kv):
        """[kv heads, ...] -> [heads, ...]: query head h reads KV head h // (heads / kv heads)."""
        return kv.repeat_interleave(self.config.num_heads // self.config.num_kv_heads, dim=0)

    def probabilities(self, q, cache, q_positions):
        """q: [heads, m, d] against the cache's keys, causally by position: [heads, m, cached keys]."""
        scores = (q @ self.per_head(cache.keys).transpose(1, 2)) * (self.config.head_dim ** -0.5)
        hidden = cache.positions[None, :] > q_positions[:, None]
        return torch.softmax(scores.masked_fill(hidden[None, :, :], float("-inf")), dim=-1)

    def attention(self, q, cache, q_positions, contribution_rows=None):
        """q: [heads, m, d] against the cache's keys; returns ([m, heads*d], mean probabilities
        over heads and `contribution_rows` for every cached key, or None)."""
        cfg = self.config
        probs = self.probabilities(q, cache, q_positions)
        out = (probs @ self.per_head(cache.values)).transpose(0, 1).reshape(q.shape[1], cfg.num_heads * cfg.head_dim)
        attended = None
        if contribution_rows is not None and len(contribution_rows):
            attended = probs[:, contribution_rows, :].mean(dim=(0, 1))
        return out, attended

    def layer(self, l, x, positions, cache, contribution_rows=None):
        """Runs layer l on rows x at `positions`, appending their keys/values to `cache`."""
        cfg = self.config
        p = f"model.layers.{l}."
        m = x.shape[0]
        h = self.rms_norm(x, self.w[p + "input_layernorm.weight"])
        q = self.linear(h, p + "self_attn.q_proj").view(m, cfg.num_heads, cfg.head_dim).transpose(0, 1)
        k = self.linear(h, p + "self_attn.k_proj").view(m, cfg.num_kv_heads, cfg.head_dim).transpose(0, 1)
        v = self.linear(h, p + "self_attn.v_proj").view(m, cfg.num_kv_heads, cfg.head_dim).transpose(0, 1)
        q, k = self.rope(q, positions), self.rope(k, positions)
        cache.keys = torch.cat((cache.keys, k), dim=1)
        cache.values = torch.cat((cache.values, v), dim=1)
        cache.positions = torch.cat((cache.positions, positions))
        attn, attended = self.attention(q, cache, positions, contribution_rows)
        x = x + self.linear(attn, p + "self_attn.o_proj")
        x = x + self.mlp(self.rms_norm(x, self.w[p + "post_attention_layernorm.weight"]), p)
        return x, attended

    def empty_cache(self):
        cfg = self.config
        z = torch.zeros((cfg.num_kv_heads, 0, cfg.head_dim), dtype=self.dtype)
        return LayerCache(z, z.clone(), torch.zeros(0, dtype=torch.int64))

    def head(self, x):
        hidden = self.rms_norm(x, self.w["model.norm.weight"])
        return hidden, hidden @ self.lm_head.T

    def embed(self, input_ids, spatial=None):
        x = self.w["model.embed_tokens.weight"][torch.as_tensor(input_ids, dtype=torch.int64)].clone()
        if spatial is not None and spatial.embeds is not None:
            x[spatial.start:spatial.start + spatial.count] = torch.from_numpy(
                np.asarray(spatial.embeds, dtype=np.float32)).to(self.dtype)
        return x

    # --- prefill with gating, then greedy decoding ---------------------------------------

    def prefill(self, input_ids, spatial=None, query="last", policy=None):
        """Runs the prompt; with a spatial block it measures the contribution c^l and spatial share
        S^l at every layer, and with `policy` it gates after layer K-1."""
        cfg = self.config
        n = len(input_ids)
        x = self.embed(input_ids, spatial)
        rows = np.arange(n)                     # original positions of the current rows
        caches = [self.empty_cache() for _ in range(cfg.num_layers)]
        contribution = spatial_share = gate = None
        if spatial is not None:
            s, N = spatial.start, spatial.count
            query_positions = np.array([n - 1]) if query == "last" else np.arange(s + N, n)
            contribution = np.zeros((cfg.num_layers, N))
            spatial_share = np.zeros(cfg.num_layers)
        for l in range(cfg.num_layers):
            q_rows = None
            if spatial is not None:
                q_rows = torch.as_tensor(np.nonzero(np.isin(rows, query_positions))[0])
            x, attended = self.layer(l, x, torch.as_tensor(rows), caches[l], q_rows)
            if spatial is not None:
                in_block = (rows >= s) & (rows < s + N)
                a = attended.to(torch.float64).numpy()[in_block]
                spatial_share[l] = a.sum()
                contribution[l, rows[in_block] - s] = a / a.sum() if a.sum() > 0 else 0.0
                if policy is not None and l == policy.layer - 1:
                    gate = choose_keep_set(contribution[l], policy)
                    # Dropped tokens leave layers K..L-1; with K = L no layer is left, so every
                    # row reaches the final norm and the head.
                    if policy.layer < cfg.num_layers:
                        survive = ~in_block
                        survive[np.searchsorted(rows, s + gate.kept)] = True
                        x, rows = x[torch.as_tensor(survive)], rows[survive]
        hidden, logits = self.head(x)
        return PrefillResult(rows=rows, hidden=hidden, logits=logits, caches=caches,
                             contribution=contribution, spatial_share=spatial_share, gate=gate,
                             prompt_length=n)

    def step(self, token, position, caches):
        """One decoding step: the token at `position` attends to every cache (pruned ones included)."""
        x = self.embed([token])
        pos = torch.tensor([position], dtype=torch.int64)
        for l in range(self.config.num_layers):
            x, _ = self.layer(l, x, pos, caches[l])
        return self.head(x)[1][0]

    def greedy(self, prefill, count):
        """Greedy tokens continuing the prompt from position n; argmax ties go to the lowest id."""
        result = GreedyResult()
        if count <= 0:
            return result
        assert prefill.rows[-1] == prefill.prompt_length - 1, "the last prompt row must reach the head"
        logits = prefill.logits[-1]
        position = prefill.prompt_length
        for t in range(count):
            token, margin = argmax_with_margin(logits)
            result.ids.append(token)
            result.margins.append(margin)
            if t + 1 < count:
                logits = self.step(token, position, prefill.caches)
                position += 1
        return result


def argmax_with_margin(logits):
    """(lowest index of the maximum, top-1 minus top-2 value); the margin is +inf for one logit."""
    values = logits.to(torch.float64).numpy()
    token = int(np.argmax(values))        # numpy returns the first maximum
    if len(values) < 2:
        return token, float("inf")
    top2 = np.partition(values, -2)[-2:]
    return token, float(top2[1] - top2[0])
