"""LLaVA-3D's multimodal pieces that sit in front of the decoder, in float64 by default.

- Projector `mlp2x_gelu`: Linear(mm_hidden -> hidden), GELU (exact, erf form), Linear(hidden ->
  hidden); weights `model.mm_projector.{0,2}.{weight,bias}`.
- 3D position embedding: Linear(3 -> d), LayerNorm(d, eps 1e-5, biased variance), ReLU,
  Linear(d -> d); weights `<prefix>.position_embedding_head.{0,1,3}.{weight,bias}`, prefix
  `model.video_tower.video_tower.positional_embedding` (scene tokens) or
  `model.video_tower.prompt_encoder.pos_emb3d` (click token).
"""
import math

import numpy as np
import torch

PROJECTOR_PREFIX = "model.mm_projector"
SCENE_POSITION_PREFIX = "model.video_tower.video_tower.positional_embedding"
CLICK_POSITION_PREFIX = "model.video_tower.prompt_encoder.pos_emb3d"
LAYER_NORM_EPS = 1e-5


def _tensor(weights, name, dtype):
    if name not in weights:
        raise KeyError(f"missing tensor {name}")
    return torch.as_tensor(np.asarray(weights[name], dtype=np.float32)).to(dtype)


def _linear(x, weights, name, dtype):
    return x @ _tensor(weights, name + ".weight", dtype).T + _tensor(weights, name + ".bias", dtype)


def gelu(x):
    """Exact GELU: x * Phi(x) = x/2 * (1 + erf(x / sqrt(2)))."""
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def project(features, weights, prefix=PROJECTOR_PREFIX, dtype=torch.float64):
    """Maps vision features [M, mm_hidden] to decoder embeddings [M, hidden]."""
    x = torch.as_tensor(np.asarray(features, dtype=np.float32)).to(dtype)
    return _linear(gelu(_linear(x, weights, prefix + ".0", dtype)), weights, prefix + ".2", dtype)


def layer_norm(x, weight, bias, eps=LAYER_NORM_EPS):
    mean = x.mean(dim=-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(variance + eps) * weight + bias


def position_embedding(xyz, weights, prefix=SCENE_POSITION_PREFIX, dtype=torch.float64):
    """Maps world coordinates [M, 3] to position embeddings [M, d]."""
    head = prefix + ".position_embedding_head"
    x = torch.as_tensor(np.asarray(xyz, dtype=np.float32)).to(dtype)
    x = _linear(x, weights, head + ".0", dtype)
    x = layer_norm(x, _tensor(weights, head + ".1.weight", dtype), _tensor(weights, head + ".1.bias", dtype))
    x = torch.relu(x)
    return _linear(x, weights, head + ".3", dtype)
