"""Shared helpers for the oracle's self-checks: random small models built in memory."""
import numpy as np

from adatoken_oracle import checkpoint, generate


def random_checkpoint(rng, max_hidden=64, **overrides):
    """A random decoder as the fixture generator draws it, weights rounded to the drawn dtype."""
    config = generate.draw_config(rng, max_hidden)
    config.update(overrides)
    weights, _ = generate.draw_weights(rng, config)
    dtype = str(rng.choice(["F32", "BF16", "F16"]))
    weights = {k: round_to(w, dtype) for k, w in weights.items()}
    return checkpoint.Checkpoint(checkpoint.DecoderConfig.from_json(config), config, weights,
                                 {k: dtype for k in weights})


def round_to(w, dtype):
    from adatoken_oracle import safetensors_file
    if dtype == "BF16":
        return safetensors_file.bf16_to_f32(safetensors_file.f32_to_bf16(w))
    if dtype == "F16":
        return w.astype(np.float16).astype(np.float32)
    return w
