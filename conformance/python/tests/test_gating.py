"""The keep-set rule of DESIGN.md 2.1: sort order, tie-breaking, rounding, clamping, margins, and
its effect on the decoder (keep=1.0 and tau=0 change nothing)."""
import unittest

import numpy as np
import torch

from adatoken_oracle import forward
from adatoken_oracle.decoder import Decoder, SpatialBlock
from adatoken_oracle.gating import PrunePolicy, choose_keep_set, keep_count_for_ratio, parse_policy
from adatoken_oracle.request import ForwardRequest

from .naive import literal_keep_set
from .support import random_checkpoint


def policy(text, layer=2, min_keep=1, max_keep=None):
    kind, value, number = parse_policy(text)
    return PrunePolicy(kind, value, number, layer, min_keep, max_keep)


class KeepSetRuleTest(unittest.TestCase):
    def kept(self, c, text, **kw):
        return choose_keep_set(np.array(c, dtype=np.float64), policy(text, **kw)).kept.tolist()

    def test_tau_keeps_the_shortest_prefix_reaching_one_minus_tau_in_original_order(self):
        self.assertEqual(self.kept([0.1, 0.5, 0.15, 0.25], "tau=0.3"), [1, 3])      # 0.75 >= 0.7
        self.assertEqual(self.kept([0.1, 0.5, 0.15, 0.25], "tau=0.2"), [1, 2, 3])   # 0.75 < 0.8 <= 0.9
        self.assertEqual(self.kept([0.1, 0.5, 0.15, 0.25], "tau=0.1"), [1, 2, 3])   # 0.9 reaches 0.9 exactly
        self.assertEqual(self.kept([0.1, 0.5, 0.15, 0.25], "tau=0.05"), [0, 1, 2, 3])

    def test_equal_contributions_are_ranked_lower_position_first(self):
        self.assertEqual(self.kept([0.25] * 4, "keep=0.5"), [0, 1])
        self.assertEqual(self.kept([0.2, 0.4, 0.2, 0.2], "tau=0.25"), [0, 1, 2])
        self.assertEqual(self.kept([0.2, 0.2, 0.4, 0.2], "keep=0.5"), [0, 2])

    def test_keep_ratio_rounds_half_up_on_the_exact_decimal(self):
        for text, n, want in (("0.5", 5, 3), ("0.3", 5, 2), ("0.1", 25, 3), ("0.7", 5, 4), ("0.15", 10, 2),
                              ("0.5", 1, 1), ("0.49", 1, 0), ("0.25", 6, 2), ("1", 7, 7), ("0", 7, 0),
                              ("5e-1", 3, 2), (".5", 3, 2)):
            with self.subTest(ratio=text, n=n):
                self.assertEqual(keep_count_for_ratio(text, n), want)

    def test_tau_zero_keeps_every_token_with_positive_contribution(self):
        rng = np.random.default_rng(0)
        for _ in range(50):
            c = rng.random(int(rng.integers(1, 400))) ** 8   # very uneven, tiny tails
            c /= c.sum()
            self.assertEqual(len(self.kept(c, "tau=0")), len(c))

    def test_count_is_clamped_to_min_keep_and_max_keep(self):
        c = [0.7, 0.1, 0.1, 0.1]
        self.assertEqual(self.kept(c, "tau=0.5"), [0])
        self.assertEqual(self.kept(c, "tau=0.5", min_keep=3), [0, 1, 2])
        self.assertEqual(self.kept(c, "tau=0", max_keep=2), [0, 1])
        self.assertEqual(self.kept(c, "tau=1"), [0])                  # min_keep defaults to 1
        self.assertEqual(self.kept(c, "tau=1", min_keep=0), [])
        self.assertEqual(self.kept(c, "keep=0", min_keep=0), [])
        self.assertEqual(self.kept(c, "keep=0"), [0])
        self.assertEqual(self.kept(c, "keep=1", max_keep=10), [0, 1, 2, 3])
        self.assertEqual(self.kept(c, "keep=0.5", min_keep=9), [0, 1, 2, 3])

    def test_float_rule_agrees_with_the_literal_exact_prefix_rule_on_random_contributions(self):
        rng = np.random.default_rng(1)
        for case in range(400):
            n = int(rng.integers(1, 60))
            a = rng.random(n) ** rng.uniform(0.5, 6)
            if rng.random() < 0.3:
                a = np.round(a, 1) + 1e-3     # many exact ties
            a = a / a.sum()
            text = str(rng.choice(["tau=0", "tau=0.05", "tau=0.2", "tau=0.5", "tau=0.9", "keep=0.3", "keep=0.5", "keep=0.75"]))
            min_keep = int(rng.integers(0, 3))
            max_keep = None if rng.random() < 0.5 else int(rng.integers(min_keep, n + 2))
            p = policy(text, min_keep=min_keep, max_keep=max_keep)
            with self.subTest(case=case, n=n, policy=text):
                decision = choose_keep_set(a, p)
                if decision.margin < 1e-12:
                    continue
                self.assertEqual(decision.kept.tolist(), literal_keep_set(a, p.kind, p.value, min_keep, max_keep, p.text))

    def test_perturbations_smaller_than_the_margin_never_change_the_keep_set(self):
        rng = np.random.default_rng(2)
        checked = 0
        for case in range(500):
            n = int(rng.integers(2, 80))
            c = rng.random(n) ** rng.uniform(1, 5)
            c /= c.sum()
            text = str(rng.choice(["tau=0.01", "tau=0.05", "tau=0.2", "tau=0.5", "keep=0.3", "keep=0.6"]))
            min_keep = int(rng.integers(0, 4))
            max_keep = None if rng.random() < 0.5 else int(rng.integers(min_keep, n + 2))
            p = policy(text, min_keep=min_keep, max_keep=max_keep)
            decision = choose_keep_set(c, p)
            if not np.isfinite(decision.margin):
                continue
            eps = decision.margin / (4 * (n + 2))
            for _ in range(5):
                noisy = c + rng.uniform(-eps, eps, n)
                with self.subTest(case=case, policy=text):
                    self.assertEqual(choose_keep_set(noisy, p).kept.tolist(), decision.kept.tolist())
            checked += 1
        self.assertGreater(checked, 200)

    def test_margin_is_small_exactly_when_the_cut_is_nearly_tied(self):
        near = choose_keep_set(np.array([0.4, 0.3, 0.3 - 1e-7, 1e-7]), policy("keep=0.5"))
        self.assertLess(near.margin, 2e-7)
        far = choose_keep_set(np.array([0.6, 0.3, 0.05, 0.05]), policy("keep=0.5"))
        self.assertAlmostEqual(far.margin, 0.25)
        threshold = choose_keep_set(np.array([0.5, 0.3, 0.1999999, 1e-7]), policy("tau=0.2"))
        self.assertLess(threshold.margin, 1e-6)

    def test_bad_policies_are_rejected(self):
        for text in ("tau", "tau=", "tau=-0.1", "keep=1.5", "keep=nan", "tau=0x1p-3", "tau=1f", "drop=0.5", "keep=inf"):
            with self.subTest(text=text), self.assertRaises(ValueError):
                parse_policy(text)


class GatingInTheDecoderTest(unittest.TestCase):
    def run_pair(self, seed, text):
        rng = np.random.default_rng([77, seed])
        ckpt = random_checkpoint(rng, num_hidden_layers=3)
        n = int(rng.integers(4, 40))
        ids = rng.integers(0, ckpt.config.vocab_size, size=n)
        s = int(rng.integers(0, n - 2))
        spatial = SpatialBlock(s, int(rng.integers(1, n - s)))
        query = str(rng.choice(["last", "instruction"]))
        decoder = Decoder(ckpt, torch.float64)
        gate = policy(text, layer=int(rng.integers(1, 4)))
        base = forward.run(decoder, ForwardRequest(ids, spatial, None, query, 4))
        pruned = forward.run(decoder, ForwardRequest(ids, spatial, gate, query, 4))
        return base, pruned, spatial, gate.layer

    def test_keep_ratio_one_and_tau_zero_change_nothing(self):
        for seed in range(12):
            for text in ("keep=1.0", "tau=0"):
                with self.subTest(seed=seed, policy=text):
                    base, pruned, spatial, _ = self.run_pair(seed, text)
                    np.testing.assert_array_equal(pruned["kept"], np.arange(spatial.start, spatial.start + spatial.count))
                    for name in ("positions", "greedy_ids", "logits", "hidden_states", "contribution", "spatial_share"):
                        np.testing.assert_array_equal(pruned[name], base[name], err_msg=name)

    def test_pruned_rows_leave_the_outputs_and_text_rows_stay(self):
        for seed in range(12):
            with self.subTest(seed=seed):
                base, pruned, spatial, layer = self.run_pair(seed, "keep=0.4")
                s, count = spatial.start, spatial.count
                kept = set(pruned["kept"].tolist())
                self.assertEqual(len(kept), max(1, int(0.4 * count + 0.5)))
                dropped = [i for i in range(count) if s + i not in kept]
                # Layers before the gate see every token, exactly as without pruning.
                np.testing.assert_array_equal(pruned["contribution"][:layer], base["contribution"][:layer])
                if layer == 3:        # K = L: no layer runs after the gate, every row reaches the head
                    np.testing.assert_array_equal(pruned["positions"], base["positions"])
                    continue
                want = [p for p in range(len(base["positions"])) if not s <= p < s + count or p in kept]
                self.assertEqual(pruned["positions"].tolist(), want)
                # Dropped tokens get no contribution at pruned layers; the kept ones are renormalised.
                self.assertTrue(np.all(pruned["contribution"][layer:, dropped] == 0))
                np.testing.assert_allclose(pruned["contribution"][layer:].sum(axis=1), 1.0, rtol=1e-6)


if __name__ == "__main__":
    unittest.main()
