"""The spatial-QA task's pieces: seeded scenes, answerable questions, and the training model's agreement with
the oracle's decoder on an exported checkpoint (so a trained checkpoint means what the oracle computes)."""
import os
import tempfile
import unittest

import numpy as np
import torch

from adatoken_oracle import checkpoint as checkpoint_module
from adatoken_oracle.decoder import Decoder
from adatoken_oracle.multimodal import project
from spatialqa import dataset
from spatialqa.attention import RecordingDecoder, shares
from spatialqa.model import SpatialQaModel, default_config
from spatialqa.prompt import PromptCodec, tokenizer_lines, train_tokenizer
from spatialqa.questions import TYPES, corpus_lines
from spatialqa.scenes import MM_HIDDEN, OBJECT_DIM
from spatialqa.train import collate


class ScenesTest(unittest.TestCase):
    def test_same_seed_same_scene_and_token_count_in_range(self):
        a, qa = dataset.draw(5, dataset.HELDOUT, 3, 300, 900, 12)
        b, qb = dataset.draw(5, dataset.HELDOUT, 3, 300, 900, 12)
        np.testing.assert_array_equal(a.features, b.features)
        self.assertEqual([q.text for q in qa], [q.text for q in qb])
        self.assertTrue(300 <= len(a.features) <= 900)
        self.assertEqual(a.features.shape[1], MM_HIDDEN)
        keys = np.round(a.xyz / 0.2 - 0.5).astype(int)
        order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
        np.testing.assert_array_equal(order, np.arange(len(keys)), "tokens are in voxel-key order")
        objects = a.owner >= 0
        self.assertTrue(objects.sum() < 0.2 * len(a.owner), "most tokens are background")
        self.assertGreater(a.features[objects, OBJECT_DIM].min(), 1.0)

    def test_every_type_is_generated_and_answers_follow_the_scene(self):
        seen = set()
        for i in range(20):
            scene, qs = dataset.draw(1, dataset.TRAIN, i, 150, 400, 14)
            for q in qs:
                seen.add(q.type)
                if q.type == "colour":
                    shape = q.text.split()[-1].rstrip("?")
                    matches = [o for o in scene.objects if o.name().endswith(" " + shape)]
                    self.assertEqual(len(matches), 1)
                    self.assertTrue(matches[0].name().startswith(q.answer + " "))
        self.assertEqual(seen, set(TYPES))


def tiny_checkpoint(directory, seed=0):
    """A 2-layer model with a tokenizer, exported into `directory`, its weights 8x the init, so that attention is
    far from uniform: (codec, model, config)."""
    tok = os.path.join(directory, "tokenizer.model")
    train_tokenizer(tokenizer_lines(corpus_lines()), tok)
    codec = PromptCodec(tok)
    cfg = default_config(codec.vocab_size(), MM_HIDDEN, hidden=32, layers=2, heads=2, intermediate=48)
    torch.manual_seed(seed)
    model = SpatialQaModel(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(8.0 if p.dim() == 2 else 1.0)
    model.export(directory)
    return codec, model, cfg


def question_batch(codec, scene, qs):
    keep = np.arange(len(scene.owner))
    return collate(codec, len(codec.before), [(scene.features, len(keep), keep, [(q.text, q.answer) for q in qs])])


class ModelMatchesOracleTest(unittest.TestCase):
    def test_shared_prefix_training_model_equals_the_oracle_decoder_on_its_export(self):
        with tempfile.TemporaryDirectory() as tmp:
            codec, model, _ = tiny_checkpoint(tmp)
            scene, qs = dataset.draw(0, dataset.HELDOUT, 0, 60, 90, 3)
            inputs, pick, _ = question_batch(codec, scene, qs)
            with torch.no_grad():
                hidden = model(torch.tensor(codec.before), *inputs)
            ckpt = checkpoint_module.load(tmp)
            oracle = Decoder(ckpt, torch.float64)
            embeds = project(scene.features, ckpt.weights).to(torch.float32).numpy()
            for qi, q in enumerate(qs):
                expected = oracle.prefill(*codec.with_room(q.text, embeds)).logits[-1].numpy()
                got = model.lm_head(hidden[0, qi, len(codec.after(q.text)) - 1]).detach().numpy()
                np.testing.assert_allclose(got, expected, rtol=0, atol=2e-3 * np.abs(expected).max())


class GrowTest(unittest.TestCase):
    def test_a_grown_model_starts_as_its_checkpoint_with_the_new_layer_in_place(self):
        with tempfile.TemporaryDirectory() as tmp:
            codec, small, cfg = tiny_checkpoint(tmp)
            grown = SpatialQaModel(dict(cfg, num_hidden_layers=3))
            grown.load(tmp, new_layer=1)
            self.assertTrue(torch.equal(grown.layers[2].q_proj.weight, small.layers[1].q_proj.weight))
            self.assertTrue(torch.equal(grown.layers[0].down_proj.weight, small.layers[0].down_proj.weight))
            self.assertGreater(grown.layers[1].q_proj.weight.abs().max().item(), 0.0)
            scene, qs = dataset.draw(0, dataset.HELDOUT, 0, 60, 90, 3)
            inputs, _, _ = question_batch(codec, scene, qs)
            with torch.no_grad():
                want = small(torch.tensor(codec.before), *inputs)
                got = grown(torch.tensor(codec.before), *inputs)
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=0, atol=1e-5)
            with self.assertRaisesRegex(ValueError, "model.layers.2"):
                SpatialQaModel(dict(cfg, num_hidden_layers=3)).load(tmp)


class AttentionSharesTest(unittest.TestCase):
    def test_recording_changes_nothing_and_every_heads_shares_add_up_to_one(self):
        with tempfile.TemporaryDirectory() as tmp:
            codec, _, _ = tiny_checkpoint(tmp, seed=1)
            scene, qs = dataset.draw(0, dataset.HELDOUT, 1, 60, 90, 3)
            questions = [{"scene": 0, "question": q.text, "objects": list(q.objects)} for q in qs if q.objects]
            table, token = shares(tmp, [(scene.features, scene.xyz, scene.owner)], questions, back=2)
            self.assertEqual(table.shape, (2, 2, 4))
            np.testing.assert_allclose(table.sum(axis=2), 1.0, atol=1e-9)
            self.assertTrue((table >= 0).all())
            self.assertTrue(token.startswith("'▁ASSISTANT' in "), token)   # two places from the end of "... ASSISTANT:"
            ckpt = checkpoint_module.load(tmp)
            embeds = project(scene.features, ckpt.weights).to(torch.float32).numpy()
            ids, block = codec.with_room(questions[0]["question"], embeds)
            recording = RecordingDecoder(ckpt)
            got = recording.prefill(ids, block).logits
            self.assertEqual(len(recording.recorded), 2)
            self.assertTrue(torch.equal(got, Decoder(ckpt).prefill(ids, block).logits))


if __name__ == "__main__":
    unittest.main()
