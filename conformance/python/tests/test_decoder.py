"""The float64 oracle agrees with the naive second formulation (tests/naive.py) on random models
and requests, pruning and greedy decoding included."""
import unittest

import numpy as np
import torch

from adatoken_oracle import forward
from adatoken_oracle.decoder import Decoder, SpatialBlock
from adatoken_oracle.gating import PrunePolicy, parse_policy
from adatoken_oracle.request import ForwardRequest

from .naive import NaiveModel, naive_request
from .support import random_checkpoint

CASES = 24


def random_request(rng, config, max_seq=14):
    n = int(rng.integers(2, max_seq + 1))
    ids = rng.integers(0, config.vocab_size, size=n)
    spatial = embeds = policy = None
    query = "last"
    if rng.random() < 0.8:
        s = int(rng.integers(0, n - 1))
        count = int(rng.integers(1, n - s))
        if rng.random() < 0.5:
            embeds = rng.standard_normal((count, config.hidden_size)).astype(np.float32)
        spatial = SpatialBlock(s, count, embeds)
        query = str(rng.choice(["last", "instruction"]))
        if rng.random() < 0.8:
            text = str(rng.choice(["tau=0", "tau=0.05", "tau=0.3", "tau=0.7", "keep=0.5", "keep=0.3", "keep=0.9"]))
            kind, value, number = parse_policy(text)
            min_keep = int(rng.integers(0, 3))
            max_keep = None if rng.random() < 0.6 else int(rng.integers(min_keep, count + 2))
            policy = PrunePolicy(kind, value, number, int(rng.integers(1, config.num_layers + 1)), min_keep, max_keep)
    return ForwardRequest(ids, spatial, policy, query, int(rng.integers(0, 4)))


class DecoderAgreesWithNaiveTest(unittest.TestCase):
    def test_float64_forward_matches_naive_formulation_for_random_models_and_requests(self):
        for seed in range(CASES):
            with self.subTest(seed=seed):
                rng = np.random.default_rng([20240, seed])
                ckpt = random_checkpoint(rng, num_hidden_layers=int(rng.integers(1, 4)))
                request = random_request(rng, ckpt.config)
                got = forward.run(Decoder(ckpt, torch.float64), request)
                spatial = None if request.spatial is None else (request.spatial.start, request.spatial.count)
                embeds = None if request.spatial is None else request.spatial.embeds
                want = naive_request(NaiveModel(ckpt.config, ckpt.weights), request.input_ids, spatial, embeds,
                                     request.query, request.policy, request.generate)
                if "gate_margin" in got and got["gate_margin"][0] < 1e-9:
                    continue   # an exact tie at the gate: the two formulations may legitimately differ
                self.assertEqual(sorted(got), sorted(set(want) | ({"gate_margin"} if "kept" in want else set())
                                                     | ({"greedy_margin"} if request.generate else set())))
                for name in ("positions", "kept", "greedy_ids"):
                    if name in want:
                        if name == "greedy_ids" and got["greedy_margin"].min() < 1e-9:
                            continue
                        np.testing.assert_array_equal(got[name], want[name], err_msg=name)
                for name in ("logits", "hidden_states", "contribution", "spatial_share"):
                    if name in want:
                        # got is stored as float32; the float64 computations agree far below that.
                        np.testing.assert_allclose(got[name], want[name], rtol=2e-6, atol=1e-6, err_msg=name)

    def test_grouped_query_attention_maps_query_head_h_to_kv_head_h_over_group(self):
        for family, heads, kv_heads in (("llama", 6, 2), ("qwen2", 8, 2), ("llama", 4, 1)):
            with self.subTest(family=family, heads=heads, kv_heads=kv_heads):
                rng = np.random.default_rng(heads * 10 + kv_heads)
                ckpt = random_checkpoint(rng, model_type=family, num_hidden_layers=2, hidden_size=heads * 8,
                                         head_dim=8, num_attention_heads=heads, num_key_value_heads=kv_heads)
                ids = rng.integers(0, ckpt.config.vocab_size, size=7)
                result = Decoder(ckpt, torch.float64).prefill(ids)
                hidden, logits, _ = NaiveModel(ckpt.config, ckpt.weights).run(ids)
                np.testing.assert_allclose(result.logits.numpy(), logits, rtol=1e-10, atol=1e-10)

    def test_head_dim_need_not_equal_hidden_over_heads(self):
        rng = np.random.default_rng(8)
        ckpt = random_checkpoint(rng, model_type="llama", hidden_size=40, head_dim=16,
                                 num_attention_heads=4, num_key_value_heads=2)
        ids = rng.integers(0, ckpt.config.vocab_size, size=6)
        result = Decoder(ckpt, torch.float64).prefill(ids)
        np.testing.assert_allclose(result.logits.numpy(), NaiveModel(ckpt.config, ckpt.weights).run(ids)[1],
                                   rtol=1e-10, atol=1e-10)

    def test_float64_values_agree_with_naive_to_1e_12_before_float32_storage(self):
        rng = np.random.default_rng(5)
        ckpt = random_checkpoint(rng, num_hidden_layers=2, model_type="qwen2", tie_word_embeddings=False)
        ids = rng.integers(0, ckpt.config.vocab_size, size=9)
        result = Decoder(ckpt, torch.float64).prefill(ids)
        hidden, logits, _ = NaiveModel(ckpt.config, ckpt.weights).run(ids)
        np.testing.assert_allclose(result.logits.numpy(), logits, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(result.hidden.numpy(), hidden, rtol=1e-12, atol=1e-12)


class HuggingFaceConventionsTest(unittest.TestCase):
    def test_rope_rotates_first_half_against_second_half(self):
        rng = np.random.default_rng(3)
        ckpt = random_checkpoint(rng, max_hidden=64)
        d = Decoder(ckpt, torch.float64)
        x = torch.zeros((1, 1, ckpt.config.head_dim), dtype=torch.float64)
        x[0, 0, 0] = 1.0                      # unit vector along dim 0 rotates into dim d/2
        y = d.rope(x, torch.tensor([3]))
        half = ckpt.config.head_dim // 2
        self.assertAlmostEqual(y[0, 0, 0].item(), np.cos(3.0), places=12)
        self.assertAlmostEqual(y[0, 0, half].item(), np.sin(3.0), places=12)
        self.assertEqual(torch.count_nonzero(y).item(), 2)

    def test_position_zero_is_identity_and_scores_depend_only_on_relative_position(self):
        rng = np.random.default_rng(4)
        ckpt = random_checkpoint(rng)
        d = Decoder(ckpt, torch.float64)
        q = torch.randn((1, 1, ckpt.config.head_dim), dtype=torch.float64)
        k = torch.randn((1, 1, ckpt.config.head_dim), dtype=torch.float64)
        torch.testing.assert_close(d.rope(q, torch.tensor([0])), q)
        s1 = (d.rope(q, torch.tensor([7])) * d.rope(k, torch.tensor([2]))).sum()
        s2 = (d.rope(q, torch.tensor([105])) * d.rope(k, torch.tensor([100]))).sum()
        self.assertAlmostEqual(s1.item(), s2.item(), places=9)

    def test_tied_head_uses_the_embedding_even_when_a_different_lm_head_is_stored(self):
        rng = np.random.default_rng(6)
        ckpt = random_checkpoint(rng, tie_word_embeddings=True)
        ckpt.weights["lm_head.weight"] = np.zeros_like(ckpt.weights["model.embed_tokens.weight"])
        d = Decoder(ckpt, torch.float64)
        self.assertIs(d.lm_head, d.w["model.embed_tokens.weight"])
        self.assertGreater(d.prefill(np.array([1, 2])).logits.abs().max().item(), 0.0)


if __name__ == "__main__":
    unittest.main()
