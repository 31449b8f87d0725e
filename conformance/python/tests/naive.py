"""A second, deliberately naive formulation of the same model, for cross-checking the oracle.

It shares no code with adatoken_oracle.decoder: numpy instead of torch, RoPE as explicit pair
rotations, one softmax per (head, query) row, pruning expressed as a visibility mask (dropped
tokens stay in the sequence but no query at layers >= K sees them), the gate by the literal
prefix rule of DESIGN.md 2.1 in exact rational arithmetic, and decoding by recomputing the whole
sequence for every new token (no KV cache).
"""
from fractions import Fraction

import numpy as np


def rms(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rotate_pairs(v, pos, theta):
    """Rotates each pair (v[i], v[i + d/2]) by angle pos * theta^(-2i/d)."""
    d = len(v)
    out = v.copy()
    for i in range(d // 2):
        angle = pos * theta ** (-2.0 * i / d)
        c, s = np.cos(angle), np.sin(angle)
        out[i] = v[i] * c - v[i + d // 2] * s
        out[i + d // 2] = v[i + d // 2] * c + v[i] * s
    return out


def silu(x):
    return x / (1.0 + np.exp(-x))


class NaiveModel:
    def __init__(self, config, weights):
        self.c = config
        self.w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}

    def lin(self, x, name, bias):
        y = x @ self.w[name + ".weight"].T
        return y + self.w[name + ".bias"] if bias else y

    def run(self, ids, spatial=None, embeds=None, query_rows=(), dropped=(), prune_layer=None):
        """Full-sequence forward. Returns (final-normed hidden [n, h], logits [n, V], per-layer mean
        attention over heads and query_rows for every key [L, n])."""
        c = self.c
        n = len(ids)
        x = self.w["model.embed_tokens.weight"][np.asarray(ids)].copy()
        if embeds is not None:
            x[spatial[0]:spatial[0] + spatial[1]] = embeds
        dropped = set(int(i) for i in dropped)
        group = c.num_heads // c.num_kv_heads
        attended = np.zeros((c.num_layers, n))
        for l in range(c.num_layers):
            p = f"model.layers.{l}."
            h = rms(x, self.w[p + "input_layernorm.weight"], c.rms_norm_eps)
            q = self.lin(h, p + "self_attn.q_proj", c.qkv_bias).reshape(n, c.num_heads, c.head_dim)
            k = self.lin(h, p + "self_attn.k_proj", c.qkv_bias).reshape(n, c.num_kv_heads, c.head_dim)
            v = self.lin(h, p + "self_attn.v_proj", c.qkv_bias).reshape(n, c.num_kv_heads, c.head_dim)
            for i in range(n):
                for hd in range(c.num_heads):
                    q[i, hd] = rotate_pairs(q[i, hd], i, c.rope_theta)
                for hd in range(c.num_kv_heads):
                    k[i, hd] = rotate_pairs(k[i, hd], i, c.rope_theta)
            pruned_here = prune_layer is not None and l >= prune_layer
            attn = np.zeros((n, c.num_heads, c.head_dim))
            for hd in range(c.num_heads):
                kv = hd // group
                for i in range(n):
                    visible = [j for j in range(i + 1) if not (pruned_here and j in dropped)]
                    scores = np.array([q[i, hd] @ k[j, kv] for j in visible]) / np.sqrt(c.head_dim)
                    e = np.exp(scores - scores.max())
                    probs = e / e.sum()
                    attn[i, hd] = probs @ v[visible, kv]
                    if i in query_rows:
                        attended[l, visible] += probs / (c.num_heads * len(query_rows))
            x = x + self.lin(attn.reshape(n, -1), p + "self_attn.o_proj", c.o_bias)
            h = rms(x, self.w[p + "post_attention_layernorm.weight"], c.rms_norm_eps)
            up = self.lin(h, p + "mlp.up_proj", c.mlp_bias)
            x = x + self.lin(silu(self.lin(h, p + "mlp.gate_proj", c.mlp_bias)) * up, p + "mlp.down_proj", c.mlp_bias)
        hidden = rms(x, self.w["model.norm.weight"], c.rms_norm_eps)
        head = self.w["model.embed_tokens.weight" if c.tie_word_embeddings else "lm_head.weight"]
        return hidden, hidden @ head.T, attended


def literal_keep_set(a, kind, value, min_keep, max_keep, text=None):
    """DESIGN.md 2.1 verbatim, in exact arithmetic: sort by contribution descending (ties: lower
    position first); tau: the shortest prefix whose share of the total reaches 1 - tau; keep: the
    round-half-up count; then clamp. Returns sorted indices."""
    exact = [Fraction(float(x)) for x in a]
    order = sorted(range(len(a)), key=lambda i: (-exact[i], i))
    n = len(a)
    if kind == "tau":
        need = (1 - Fraction(value)) * sum(exact)
        running, k = Fraction(0), n
        for m in range(n + 1):
            if running >= need:
                k = m
                break
            if m < n:
                running += exact[order[m]]
    else:
        k = int(Fraction(text if text is not None else repr(value)) * n + Fraction(1, 2))  # floor(R*N + 1/2), exact decimal R
    hi = n if max_keep is None else min(max_keep, n)
    k = min(max(k, min(min_keep, hi)), hi)
    return sorted(order[:k])


def naive_request(model, ids, spatial=None, embeds=None, query="last", policy=None, generate=0):
    """The whole forward request, naively. Returns a dict like adatoken_oracle.forward.run."""
    n = len(ids)
    out = {}
    query_rows, dropped, prune_layer = (), (), None
    if spatial is not None:
        s, count = spatial
        query_rows = (n - 1,) if query == "last" else tuple(range(s + count, n))
        _, _, attended = model.run(ids, spatial, embeds, query_rows)
        a_block = attended[:, s:s + count]
        if policy is not None:
            kept = literal_keep_set(a_block[policy.layer - 1], policy.kind, policy.value,
                                    policy.min_keep, policy.max_keep, policy.text)
            dropped = [s + i for i in range(count) if i not in kept]
            prune_layer = policy.layer
            out["kept"] = np.array([s + i for i in kept])
            _, _, attended = model.run(ids, spatial, embeds, query_rows, dropped, prune_layer)
            a_block = attended[:, s:s + count]
        out["spatial_share"] = a_block.sum(axis=1)
        out["contribution"] = a_block / a_block.sum(axis=1, keepdims=True)
    hidden, logits, _ = model.run(ids, spatial, embeds, query_rows, dropped, prune_layer)
    # A row reaches the head unless it was dropped and some layer ran after the gate.
    pruned_any_layer = prune_layer is not None and prune_layer < model.c.num_layers
    rows = [i for i in range(n) if not (pruned_any_layer and i in set(dropped))]
    out.update(hidden_states=hidden[rows], logits=logits[rows], positions=np.array(rows))
    if generate:
        seq, greedy = list(ids), []
        full_embeds = embeds
        for _ in range(generate):
            _, logits, _ = model.run(seq, spatial, full_embeds, (), dropped, prune_layer)
            greedy.append(int(np.argmax(logits[-1])))
            seq.append(greedy[-1])
        out["greedy_ids"] = np.array(greedy)
    return out
