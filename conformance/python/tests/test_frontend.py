"""The front-end oracle agrees with second formulations: torch.nn's transformer layer for the CLIP
layers, an unfolded matmul for the patch embedding, a dictionary for the voxel keys, the pinhole
formula for unprojection, LLaVA-3D's own intrinsics arithmetic for a ScanNet frame, and hand-read
clicks for the click parser."""
import unittest

import numpy as np
import torch
from torch import nn

from adatoken_oracle import frontend


def random_tower(rng, hidden=32, heads=2, layers=2, patch=4, grid=3, inter=48):
    p = "vision_model."
    w = {p + "embeddings.class_embedding": rng.standard_normal(hidden),
         p + "embeddings.patch_embedding.weight": rng.standard_normal((hidden, 3, patch, patch)) / (patch * 2),
         p + "embeddings.position_embedding.weight": rng.standard_normal((grid * grid + 1, hidden)) * 0.3,
         p + "pre_layrnorm.weight": 1 + rng.standard_normal(hidden) * 0.1, p + "pre_layrnorm.bias": rng.standard_normal(hidden) * 0.1}
    for layer in range(layers):
        q = p + f"encoder.layers.{layer}."
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[q + f"self_attn.{name}.weight"] = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden) * 1.5
            w[q + f"self_attn.{name}.bias"] = rng.standard_normal(hidden) * 0.1
        for norm in ("layer_norm1", "layer_norm2"):
            w[q + norm + ".weight"] = 1 + rng.standard_normal(hidden) * 0.1
            w[q + norm + ".bias"] = rng.standard_normal(hidden) * 0.1
        w[q + "mlp.fc1.weight"] = rng.standard_normal((inter, hidden)) / np.sqrt(hidden)
        w[q + "mlp.fc1.bias"] = rng.standard_normal(inter) * 0.1
        w[q + "mlp.fc2.weight"] = rng.standard_normal((hidden, inter)) / np.sqrt(inter)
        w[q + "mlp.fc2.bias"] = rng.standard_normal(hidden) * 0.1
    return {k: v.astype(np.float32) for k, v in w.items()}


class QuickGelu(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class FrontendTest(unittest.TestCase):
    def test_clip_tower_matches_unfolded_patches_and_torch_transformer_layers(self):
        rng = np.random.default_rng(3)
        hidden, heads, layers, patch, grid = 32, 2, 2, 4, 3
        w = random_tower(rng, hidden, heads, layers, patch, grid)
        t = {k: torch.from_numpy(v).double() for k, v in w.items()}
        p = "vision_model."
        pixels = rng.standard_normal((3, patch * grid, patch * grid)).astype(np.float32)
        x = torch.from_numpy(pixels).double()
        cols = x.unfold(1, patch, patch).unfold(2, patch, patch)  # [3, g, g, P, P]
        cols = cols.permute(1, 2, 0, 3, 4).reshape(grid * grid, -1)
        emb = torch.cat([t[p + "embeddings.class_embedding"][None], cols @ t[p + "embeddings.patch_embedding.weight"].reshape(hidden, -1).T])
        h = nn.functional.layer_norm(emb + t[p + "embeddings.position_embedding.weight"], (hidden,),
                                     t[p + "pre_layrnorm.weight"], t[p + "pre_layrnorm.bias"], 1e-5)[None]
        for layer in range(layers):
            q = p + f"encoder.layers.{layer}."
            block = nn.TransformerEncoderLayer(hidden, heads, 48, dropout=0.0, activation=QuickGelu(), layer_norm_eps=1e-5,
                                               batch_first=True, norm_first=True).double().eval()
            with torch.no_grad():
                block.self_attn.in_proj_weight.copy_(torch.cat([t[q + f"self_attn.{n}.weight"] for n in ("q_proj", "k_proj", "v_proj")]))
                block.self_attn.in_proj_bias.copy_(torch.cat([t[q + f"self_attn.{n}.bias"] for n in ("q_proj", "k_proj", "v_proj")]))
                block.self_attn.out_proj.weight.copy_(t[q + "self_attn.out_proj.weight"])
                block.self_attn.out_proj.bias.copy_(t[q + "self_attn.out_proj.bias"])
                block.norm1.weight.copy_(t[q + "layer_norm1.weight"]); block.norm1.bias.copy_(t[q + "layer_norm1.bias"])
                block.norm2.weight.copy_(t[q + "layer_norm2.weight"]); block.norm2.bias.copy_(t[q + "layer_norm2.bias"])
                block.linear1.weight.copy_(t[q + "mlp.fc1.weight"]); block.linear1.bias.copy_(t[q + "mlp.fc1.bias"])
                block.linear2.weight.copy_(t[q + "mlp.fc2.weight"]); block.linear2.bias.copy_(t[q + "mlp.fc2.bias"])
                h = block(h)
        got = frontend.clip_vision(pixels, w, heads, select_layer=layers)
        np.testing.assert_allclose(got, h[0, 1:].detach().numpy(), rtol=1e-10, atol=1e-10)
        penultimate = frontend.clip_vision(pixels, w, heads, select_layer=-2)
        self.assertEqual(penultimate.shape, (grid * grid, hidden))
        self.assertGreater(np.abs(penultimate - got).max(), 1e-3)

    def test_voxel_tokens_follow_llava3d_keys_and_average_their_points(self):
        rng = np.random.default_rng(5)
        for _ in range(20):
            n = int(rng.integers(1, 300))
            xyz = (rng.random((n, 3)) * 6 - 3).astype(np.float32)
            feats = rng.standard_normal((n, 5)).astype(np.float32)
            voxel, pooled, centres = frontend.voxel_pool(xyz, feats, 0.2)
            cells = [tuple(int(c) for c in np.round(p / np.float32(0.2))) for p in xyz]
            low = [min(c[a] for c in cells) for a in range(3)]
            ext = [max(c[a] for c in cells) - low[a] + 1 for a in range(3)]
            keys = [((c[0] - low[0]) * ext[1] + c[1] - low[1]) * ext[2] + c[2] - low[2] for c in cells]
            order = sorted(set(keys))
            self.assertEqual(list(voxel), [order.index(k) for k in keys])
            for v, key in enumerate(order):
                members = [i for i, k in enumerate(keys) if k == key]
                np.testing.assert_allclose(pooled[v], feats[members].astype(np.float64).mean(0), rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(centres[v], xyz[members].astype(np.float64).mean(0), rtol=1e-12, atol=1e-12)

    def test_unprojection_is_the_pinhole_model_at_each_patch_corner(self):
        rng = np.random.default_rng(7)
        size, grid = 12, 4
        depth = (rng.random((size, size)) * 3 + 0.5).astype(np.float32)
        k = np.array([[10.0, 0, 5.5, 0], [0, 11.0, 6.0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        c, s = np.cos(0.3), np.sin(0.3)
        pose = np.array([[c, -s, 0, 1.0], [s, c, 0, 2.0], [0, 0, 1, 0.5], [0, 0, 0, 1]])
        align = np.array([[0, 1, 0, -1.0], [-1, 0, 0, 3.0], [0, 0, 1, 0], [0, 0, 0, 1]])
        xyz = frontend.unproject(depth, k, pose, align, grid)
        step = size // grid
        for i in range(grid):
            for j in range(grid):
                u, v = j * step, i * step
                z = float(depth[v, u])
                cam = np.array([(u - 5.5) * z / 10.0, (v - 6.0) * z / 11.0, z, 1.0])
                np.testing.assert_allclose(xyz[i * grid + j], (align @ pose @ cam)[:3], rtol=1e-12, atol=1e-12)

    def test_scannet_depth_frame_gets_llava3d_intrinsics(self):
        depth = np.full((480, 640), 1500, dtype=np.uint16)
        k = np.array([[577.870605, 0, 319.5, 0], [0, 577.870605, 239.5, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        metres, adjusted = frontend.depth_preprocess(depth, k, 336, 1000)
        self.assertEqual(metres.shape, (336, 336))
        self.assertTrue(np.all(metres == np.float32(1.5)))
        # LLaVA-3D: rows divided by 640/448 and 480/336, then cx -= (448 - 336) / 2.
        self.assertAlmostEqual(adjusted[0, 0], 577.870605 / (640 / 448), places=12)
        self.assertAlmostEqual(adjusted[0, 2], 319.5 / (640 / 448) - 56, places=12)
        self.assertAlmostEqual(adjusted[1, 2], 239.5 / (480 / 336), places=12)

    def test_clip_preprocessing_keeps_the_centre_and_normalises(self):
        rgb = np.zeros((20, 40, 3), dtype=np.uint8)
        rgb[:, 10:30] = 255
        px = frontend.clip_preprocess(rgb, 10)
        self.assertEqual(px.shape, (3, 10, 10))
        for c in range(3):
            white = (np.float32(1.0) - np.float32(frontend.CLIP_MEAN[c])) / np.float32(frontend.CLIP_STD[c])
            np.testing.assert_allclose(px[c, :, 3:7], white, rtol=1e-6)

    def test_clicks_are_the_bracketed_triples_of_decimal_numbers(self):
        spans, points = frontend.clicks("What is at [1.0, 2.0, 0.5]? Not [1], [x, y, z] or [1, 2]; but [-.5,+3.,1e-2].")
        np.testing.assert_array_equal(spans, [[11, 26], [62, 76]])
        np.testing.assert_array_equal(points, [[1.0, 2.0, 0.5], [-0.5, 3.0, 0.01]])
        spans, points = frontend.clicks("no click here, not even [\u0661, 2, 3]")
        self.assertEqual((0, 2), spans.shape)
        self.assertEqual((0, 3), points.shape)


if __name__ == "__main__":
    unittest.main()

