"""The projector and 3D position MLP agree with the same layers built from torch.nn modules."""
import unittest

import numpy as np
import torch
from torch import nn

from adatoken_oracle import multimodal


def load(module, weights, prefix):
    state = {k[len(prefix) + 1:]: torch.from_numpy(v).double() for k, v in weights.items() if k.startswith(prefix + ".")}
    module.double().load_state_dict(state)
    return module


class MultimodalTest(unittest.TestCase):
    def test_projector_matches_linear_exact_gelu_linear(self):
        rng = np.random.default_rng(0)
        mm, hidden = 24, 40
        w = {
            "model.mm_projector.0.weight": rng.standard_normal((hidden, mm)).astype(np.float32) / 4,
            "model.mm_projector.0.bias": rng.standard_normal(hidden).astype(np.float32),
            "model.mm_projector.2.weight": rng.standard_normal((hidden, hidden)).astype(np.float32) / 6,
            "model.mm_projector.2.bias": rng.standard_normal(hidden).astype(np.float32),
        }
        reference = load(nn.Sequential(nn.Linear(mm, hidden), nn.GELU(), nn.Linear(hidden, hidden)), w, "model.mm_projector")
        features = rng.standard_normal((17, mm)).astype(np.float32) * 3
        want = reference(torch.from_numpy(features).double())
        torch.testing.assert_close(multimodal.project(features, w), want, rtol=1e-12, atol=1e-12)

    def test_gelu_is_the_exact_erf_form_not_the_tanh_approximation(self):
        x = torch.linspace(-4, 4, 81, dtype=torch.float64)
        torch.testing.assert_close(multimodal.gelu(x), nn.functional.gelu(x), rtol=1e-14, atol=1e-14)
        tanh = nn.functional.gelu(x, approximate="tanh")
        self.assertGreater((multimodal.gelu(x) - tanh).abs().max().item(), 1e-5)

    def test_position_embedding_matches_linear_layernorm_relu_linear(self):
        rng = np.random.default_rng(1)
        d = 32
        for prefix in (multimodal.SCENE_POSITION_PREFIX, multimodal.CLICK_POSITION_PREFIX):
            with self.subTest(prefix=prefix):
                head = prefix + ".position_embedding_head"
                w = {
                    head + ".0.weight": rng.standard_normal((d, 3)).astype(np.float32),
                    head + ".0.bias": rng.standard_normal(d).astype(np.float32),
                    head + ".1.weight": (1 + 0.2 * rng.standard_normal(d)).astype(np.float32),
                    head + ".1.bias": (0.1 * rng.standard_normal(d)).astype(np.float32),
                    head + ".3.weight": rng.standard_normal((d, d)).astype(np.float32) / 6,
                    head + ".3.bias": rng.standard_normal(d).astype(np.float32),
                }
                reference = load(nn.Sequential(nn.Linear(3, d), nn.LayerNorm(d), nn.ReLU(), nn.Linear(d, d)), w, head)
                xyz = (rng.standard_normal((50, 3)) * 4).astype(np.float32)
                want = reference(torch.from_numpy(xyz).double())
                torch.testing.assert_close(multimodal.position_embedding(xyz, w, prefix), want, rtol=1e-12, atol=1e-12)

    def test_missing_weight_is_named(self):
        with self.assertRaisesRegex(KeyError, "model.mm_projector.0.weight"):
            multimodal.project(np.zeros((1, 4), dtype=np.float32), {})


if __name__ == "__main__":
    unittest.main()
