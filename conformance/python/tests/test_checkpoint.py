"""Model folders: single file or shards, config defaults per family, clear errors."""
import json
import os
import tempfile
import unittest

import numpy as np
import torch

from adatoken_oracle import checkpoint, safetensors_file
from adatoken_oracle.checkpoint import CheckpointError, DecoderConfig
from adatoken_oracle.decoder import Decoder

from .support import random_checkpoint


def write_model(folder, ckpt, shards=1, skip=(), dtype="F32"):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(ckpt.raw_config, f)
    names = [n for n in ckpt.weights if n not in skip]
    if shards == 1:
        safetensors_file.write(os.path.join(folder, "model.safetensors"), {n: (ckpt.weights[n], dtype) for n in names})
        return
    weight_map = {}
    for i in range(shards):
        file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        part = names[i::shards]
        safetensors_file.write(os.path.join(folder, file), {n: (ckpt.weights[n], dtype) for n in part})
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)


class CheckpointTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ckpt = random_checkpoint(np.random.default_rng(11), num_hidden_layers=2, tie_word_embeddings=False)

    def tearDown(self):
        self.tmp.cleanup()

    def test_sharded_folder_loads_the_same_model_as_a_single_file(self):
        one, three = os.path.join(self.tmp.name, "one"), os.path.join(self.tmp.name, "three")
        write_model(one, self.ckpt)
        write_model(three, self.ckpt, shards=3)
        ids = np.array([3, 1, 4, 1, 5])
        a = Decoder(checkpoint.load(one)).prefill(ids).logits
        b = Decoder(checkpoint.load(three)).prefill(ids).logits
        torch.testing.assert_close(a, b, rtol=0, atol=0)

    def test_half_precision_weights_are_widened_exactly(self):
        for dtype in ("BF16", "F16"):
            with self.subTest(dtype=dtype):
                folder = os.path.join(self.tmp.name, dtype)
                write_model(folder, self.ckpt, dtype=dtype)
                loaded = checkpoint.load(folder)
                w = loaded.weights["model.layers.0.self_attn.q_proj.weight"]
                self.assertEqual(loaded.dtypes["model.layers.0.self_attn.q_proj.weight"], dtype)
                self.assertEqual(w.dtype, np.float32)
                rounded = (torch.from_numpy(self.ckpt.weights["model.layers.0.self_attn.q_proj.weight"])
                           .to(torch.bfloat16 if dtype == "BF16" else torch.float16).float().numpy())
                np.testing.assert_array_equal(w, rounded)

    def test_missing_tensor_and_wrong_shape_are_named(self):
        folder = os.path.join(self.tmp.name, "missing")
        write_model(folder, self.ckpt, skip=("model.layers.1.mlp.up_proj.weight",))
        with self.assertRaisesRegex(CheckpointError, "missing tensor model.layers.1.mlp.up_proj.weight"):
            checkpoint.load(folder)
        folder = os.path.join(self.tmp.name, "shape")
        self.ckpt.weights["model.norm.weight"] = np.ones(3, dtype=np.float32)
        write_model(folder, self.ckpt)
        with self.assertRaisesRegex(CheckpointError, r"model.norm.weight has shape \[3\], config says"):
            checkpoint.load(folder)

    def test_config_defaults_follow_transformers(self):
        qwen = DecoderConfig.from_json({"model_type": "qwen2", "hidden_size": 64, "intermediate_size": 100,
                                        "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10})
        self.assertEqual((qwen.head_dim, qwen.num_kv_heads, qwen.rope_theta, qwen.rms_norm_eps), (16, 4, 10000.0, 1e-6))
        self.assertEqual((qwen.qkv_bias, qwen.o_bias, qwen.mlp_bias, qwen.tie_word_embeddings), (True, False, False, False))
        llama = DecoderConfig.from_json({"model_type": "llama", "hidden_size": 64, "intermediate_size": 100,
                                         "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10,
                                         "attention_bias": True})
        self.assertEqual((llama.qkv_bias, llama.o_bias, llama.mlp_bias), (True, True, False))
        llava = DecoderConfig.from_json({"model_type": "llava_llama", "hidden_size": 64, "intermediate_size": 100,
                                         "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 10})
        self.assertEqual((llava.family, llava.qkv_bias), ("llama", False))

    def test_unsupported_configs_are_refused_with_the_reason(self):
        base = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 100, "num_hidden_layers": 1,
                "num_attention_heads": 4, "vocab_size": 10}
        for change, reason in (({"rope_scaling": {"type": "linear", "factor": 2.0}}, "rope_scaling"),
                               ({"model_type": "gpt2"}, "neither a LLaMA nor a Qwen2"),
                               ({"num_key_value_heads": 3}, "multiple of num_key_value_heads"),
                               ({"hidden_act": "gelu"}, "hidden_act"),
                               ({"head_dim": 7}, "even")):
            with self.subTest(reason=reason), self.assertRaisesRegex(CheckpointError, reason):
                DecoderConfig.from_json({**base, **change})


if __name__ == "__main__":
    unittest.main()
