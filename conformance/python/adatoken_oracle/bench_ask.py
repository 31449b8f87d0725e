"""PyTorch side of `./adatoken3d bench ask --vs-torch`: the LLaVA-3D pipeline, stage by stage, timed.

python3 -m adatoken_oracle.bench_ask --request FILE

FILE is a JSON request the Java bench writes: the model folder, the views it picked (colour and depth
files, poses), the depth intrinsics, axis alignment and depth scale, the CLIP tower's prefix and
hyper-parameters, the voxel size and token cap, the prompt's ids before and after the spatial block,
the AdaToken policy, how many tokens to decode and how many runs. In rounds over the two policies
(unpruned, then AdaToken) it runs the whole pipeline, after an untimed run of both on the first
three views, and reports each stage's median; in float32 with
torch.no_grad on `threads` threads, with the oracle's own stage code where it exists
(adatoken_oracle.frontend, .multimodal, .decoder, .gating):

- read: Pillow decodes each colour and depth file; clip_preprocess and depth_preprocess;
- clip: the CLIP vision tower on all views as one batch (as LLaVA-3D batches them), weights widened
  to float32 once at load, penultimate-layer patch features;
- unprojection + pooling: unproject per view, the 3D position MLP added to every patch feature,
  voxel_pool into 0.2 m voxels, the seeded random cap;
- projector: the mlp2x_gelu projector;
- prefill: the oracle decoder's prefill (eager attention) with the spatial block, gated or not, and
  the first token's argmax (the engine's time to first token covers the same);
- decode: greedy decoding of the remaining tokens.

Prints one JSON line: {"torch": version, "threads": T, "runs": [{"policy", "seconds": {stage: median s},
"spatial_tokens", "kept"}...]}. Progress goes to stderr.
"""
import argparse
import gc
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import checkpoint as checkpoint_module
from . import frontend, multimodal
from .decoder import Decoder, SpatialBlock
from .gating import PrunePolicy


class ClipTower:
    """CLIPVisionModel in float32, its weights converted once (frontend.clip_vision converts per call,
    in float64, which suits fixtures and not timing); the same operations in the same order."""

    def __init__(self, weights, prefix, heads, eps, act, select_layer):
        self.w = {name[len(prefix):]: torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
                  for name, array in weights.items() if name.startswith(prefix)}
        self.heads, self.eps, self.act, self.select_layer = heads, eps, frontend.ACTIVATIONS[act], select_layer
        self.layers = 0
        while f"encoder.layers.{self.layers}.layer_norm1.weight" in self.w:
            self.layers += 1

    def __call__(self, pixel_values):
        """float32 [V, 3, S, S] -> hidden_states[select_layer] without CLS: [V, g * g, hidden]."""
        w = self.w
        conv = w["embeddings.patch_embedding.weight"]
        hidden, patch = conv.shape[0], conv.shape[2]
        views = pixel_values.shape[0]
        patches = F.conv2d(pixel_values, conv, stride=patch).flatten(2).transpose(1, 2)
        x = torch.cat([w["embeddings.class_embedding"].reshape(1, 1, hidden).expand(views, 1, hidden), patches], dim=1)
        x = x + w["embeddings.position_embedding.weight"][None]
        h = F.layer_norm(x, (hidden,), w["pre_layrnorm.weight"], w["pre_layrnorm.bias"], self.eps)
        # hidden_states[0] is the embedding output; select_layer -2 is the output of the second-to-last layer.
        last = self.layers + 1 + self.select_layer if self.select_layer < 0 else self.select_layer
        head_dim = hidden // self.heads
        for layer in range(last):
            p = f"encoder.layers.{layer}."
            a = F.layer_norm(h, (hidden,), w[p + "layer_norm1.weight"], w[p + "layer_norm1.bias"], self.eps)
            n = a.shape[1]

            def project(name, t=a):
                return F.linear(t, w[p + f"self_attn.{name}.weight"], w[p + f"self_attn.{name}.bias"])

            q = (project("q_proj") * head_dim ** -0.5).reshape(views, n, self.heads, head_dim).transpose(1, 2)
            k = project("k_proj").reshape(views, n, self.heads, head_dim).transpose(1, 2)
            v = project("v_proj").reshape(views, n, self.heads, head_dim).transpose(1, 2)
            attended = (torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v).transpose(1, 2).reshape(views, n, hidden)
            h = h + F.linear(attended, w[p + "self_attn.out_proj.weight"], w[p + "self_attn.out_proj.bias"])
            m = F.layer_norm(h, (hidden,), w[p + "layer_norm2.weight"], w[p + "layer_norm2.bias"], self.eps)
            m = self.act(F.linear(m, w[p + "mlp.fc1.weight"], w[p + "mlp.fc1.bias"]))
            h = h + F.linear(m, w[p + "mlp.fc2.weight"], w[p + "mlp.fc2.bias"])
        return h[:, 1:]


def matrix(values):
    return np.asarray(values, dtype=np.float64).reshape(4, 4)


def run_pipeline(request, weights, tower, decoder, policy):
    """The whole pipeline once: {stage: seconds}, the spatial token count and the tokens kept."""
    seconds = {}
    gc.collect()
    size, grid = request["clip"]["image_size"], request["clip"]["image_size"] // request["clip"]["patch"]
    intrinsic, align = matrix(request["depth_intrinsic"]), matrix(request["axis_align"])

    began = time.perf_counter()
    pixels, depths = [], []
    for view in request["views"]:
        rgb = np.asarray(Image.open(view["color"]).convert("RGB"))
        pixels.append(frontend.clip_preprocess(rgb, size))
        depth = np.asarray(Image.open(view["depth"]), dtype=np.uint16)
        depths.append(frontend.depth_preprocess(depth, intrinsic, size, request["depth_scale"]))
    seconds["read"] = time.perf_counter() - began

    began = time.perf_counter()
    features = tower(torch.from_numpy(np.stack(pixels)))
    seconds["clip"] = time.perf_counter() - began

    began = time.perf_counter()
    xyz = np.concatenate([frontend.unproject(d, k, matrix(view["pose"]), align, grid)
                          for (d, k), view in zip(depths, request["views"])]).astype(np.float32)
    flat = features.reshape(-1, features.shape[-1])
    embedded = flat + multimodal.position_embedding(xyz, weights, multimodal.SCENE_POSITION_PREFIX, torch.float32)
    _, pooled, centres = frontend.voxel_pool(xyz, embedded.numpy(), request["voxel_size"])
    count = pooled.shape[0]
    if count > request["max_tokens"]:
        keep = np.sort(np.random.default_rng(request["cap_seed"]).permutation(count)[:request["max_tokens"]])
        pooled = pooled[keep]
    pooled = pooled.astype(np.float32)
    seconds["unprojection_pooling"] = time.perf_counter() - began

    began = time.perf_counter()
    embeds = multimodal.project(pooled, weights, multimodal.PROJECTOR_PREFIX, torch.float32).numpy()
    seconds["projector"] = time.perf_counter() - began

    prompt = request["prompt"]
    start, n = len(prompt["prefix_ids"]), embeds.shape[0]
    ids = prompt["prefix_ids"] + [0] * n + prompt["suffix_ids"]
    began = time.perf_counter()
    prefill = decoder.prefill(ids, SpatialBlock(start, n, embeds), query=request["policy"]["query"], policy=policy)
    torch.argmax(prefill.logits[-1])
    seconds["prefill"] = time.perf_counter() - began

    began = time.perf_counter()
    # greedy() takes the first token from the prefill's logits again (an argmax) and runs a step for each of the rest.
    decoder.greedy(prefill, request["decode_tokens"])
    seconds["decode"] = time.perf_counter() - began
    kept = n if prefill.gate is None else len(prefill.gate.kept)
    return seconds, n, kept


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m adatoken_oracle.bench_ask", description=__doc__.split("\n\n")[0])
    parser.add_argument("--request", required=True, help="the JSON request the Java bench wrote")
    args = parser.parse_args(argv)
    with open(args.request) as f:
        request = json.load(f)
    torch.set_num_threads(request["threads"])
    print(f"pytorch: loading {request['model']} (float32)", file=sys.stderr, flush=True)
    checkpoint = checkpoint_module.load(request["model"])
    clip = request["clip"]
    tower = ClipTower(checkpoint.weights, clip["prefix"], clip["heads"], clip["eps"], clip["act"], clip["select_layer"])
    decoder = Decoder(checkpoint, torch.float32)
    p = request["policy"]
    gated = PrunePolicy(p["kind"], float(p["text"]), p["text"], p["layer"], p["min_keep"], p["max_keep"])
    runs = []
    with torch.no_grad():
        # Untimed, as the Java side does: the first calls of a process pay for allocator growth and lazy setup.
        warm = dict(request, views=request["views"][:3], decode_tokens=2)
        for policy in (None, gated):
            run_pipeline(warm, checkpoint.weights, tower, decoder, policy)
        # Rounds alternate the policies, as the Java side does; each stage's median is reported.
        timed = {"unpruned": [], "adatoken": []}
        for round in range(request.get("runs", 1)):
            for name, policy in (("unpruned", None), ("adatoken", gated)):
                print(f"pytorch: {name} (run {round + 1}): {len(request['views'])} views -> answer", file=sys.stderr, flush=True)
                seconds, tokens, kept = run_pipeline(request, checkpoint.weights, tower, decoder, policy)
                print("pytorch: " + ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()), file=sys.stderr, flush=True)
                timed[name].append((seconds, tokens, kept))
        for name, results in timed.items():
            medians = {stage: statistics.median(r[0][stage] for r in results) for stage in results[0][0]}
            runs.append({"policy": name, "seconds": medians, "spatial_tokens": results[-1][1], "kept": results[-1][2]})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "runs": runs}))


if __name__ == "__main__":
    main()
