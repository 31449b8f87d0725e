"""LLaVA-3D's front end as its reference code does it, stage by stage, for the front-end fixtures.

python3 -m adatoken_oracle.frontend --cases DIR
    For every DIR/*/case.json, reads the case's inputs.safetensors (and model/ folder), computes the
    stage named by case.json's "kind" and writes expected.safetensors beside it. FORMAT.md section 12
    specifies the cases.

The stages follow ZCMax/LLaVA-3D (llava/model/multimodal_encoder/video_processor.py, unproject.py,
video_encoder.py, spatial_aware_module.py) and Hugging Face transformers (CLIPImageProcessor,
CLIPVisionModel), with the image operations done by Pillow exactly as those call it:

- clip_preprocess: CLIPImageProcessor: shortest edge to `size` (Pillow BICUBIC, the longer edge
  int(size * long / short)), centre crop at (int((h - size) / 2), int((w - size) / 2)), rescale by
  1/255 (float64, stored float32), normalise with CLIP's mean and std in float32.
- depth_preprocess: RGBDVideoProcessor.preprocess_depth_image on a 16-bit PNG opened with Pillow:
  resize NEAREST (shorter side `size`, longer int(long * (size / short))), crop the float box
  ((w' - size) / 2, (h' - size) / 2, (w' + size) / 2, (h' + size) / 2) as Pillow's crop rounds it,
  divide by the depth scale; preprocess_instrinsic: rows 0 and 1 divided by the resize ratios,
  cx -= (w' - size) / 2 and cy -= (h' - size) / 2 (LLaVA-3D's cx -= (w' - h') / 2 for landscape).
- unproject: unproject() on the cropped depth with axis_align @ pose, then nearest interpolation
  of the per-pixel world coordinates to the grid x grid patch grid; float64.
- voxel_pool: voxelization() (round(xyz / voxel_size) on the float32 positions, shift by the
  minimum, ravel_hash_vec keys, torch.unique inverse) and scatter_mean of the features (float64).
- vit: CLIPVisionModel forward, hidden_states[select_layer] with the CLS row dropped; float64.
- position_mlp, projector: adatoken_oracle.multimodal (float64).
- click: LLaVA-3D's click prompt: every "[x, y, z]" of three decimal numbers in the question (UTF-8
  bytes) is a clicked point; its position embedding under the click encoder's prefix
  (model.video_tower.prompt_encoder.pos_emb3d) is the click token (float64).
"""
import argparse
import io
import json
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import multimodal, safetensors_file

FORMAT = "adatoken3d-frontend/1"
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
_RESAMPLING = getattr(Image, "Resampling", Image)


def clip_preprocess(rgb, size):
    """uint8 [H, W, 3] -> float32 pixel_values [3, size, size]."""
    height, width = rgb.shape[:2]
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(size * long / short)
    new_height, new_width = (new_long, size) if width <= height else (size, new_long)
    image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), mode="RGB")
    resized = np.asarray(image.resize((new_width, new_height), resample=_RESAMPLING.BICUBIC, reducing_gap=None))
    top, left = int((new_height - size) / 2), int((new_width - size) / 2)
    crop = resized[top:top + size, left:left + size]
    scaled = (crop.astype(np.float64) * (1 / 255)).astype(np.float32)
    normalised = (scaled - np.array(CLIP_MEAN, dtype=np.float32)) / np.array(CLIP_STD, dtype=np.float32)
    return np.ascontiguousarray(normalised.transpose(2, 0, 1))


def depth_preprocess(depth, intrinsic, size, depth_scale):
    """uint16-valued [H, W] and a 4x4 intrinsic matrix -> (float32 metres [size, size], float64 4x4)."""
    png = io.BytesIO()
    Image.fromarray(np.asarray(depth, dtype=np.uint16)).save(png, format="PNG")
    png.seek(0)
    image = Image.open(png)  # as LLaVA-3D opens the depth file
    width, height = image.size
    if width < height:
        scale = size / width
        new_width, new_height = size, int(height * scale)
    else:
        scale = size / height
        new_width, new_height = int(width * scale), size
    resized = image.resize((new_width, new_height), _RESAMPLING.NEAREST)
    box = ((new_width - size) / 2, (new_height - size) / 2, (new_width + size) / 2, (new_height + size) / 2)
    metres = np.asarray(resized.crop(box)) / depth_scale
    k = np.array(intrinsic, dtype=np.float64)
    k[0] /= width / new_width
    k[1] /= height / new_height
    k[0, 2] -= (new_width - size) / 2
    k[1, 2] -= (new_height - size) / 2
    return torch.as_tensor(np.ascontiguousarray(metres)).float().numpy(), k


def unproject(depth, intrinsic, pose, axis_align, grid):
    """[S, S] metres -> [grid * grid, 3] world coordinates of the patch grid (float64)."""
    z = torch.as_tensor(depth, dtype=torch.float64)
    height, width = z.shape
    k = torch.as_tensor(intrinsic, dtype=torch.float64)
    world_from_camera = torch.as_tensor(axis_align, dtype=torch.float64) @ torch.as_tensor(pose, dtype=torch.float64)
    fx, fy, px, py = k[0, 0], k[1, 1], k[0, 2], k[1, 2]
    y, x = torch.meshgrid(torch.arange(height, dtype=torch.float64), torch.arange(width, dtype=torch.float64), indexing="ij")
    x = (x - px) * z / fx
    y = (y - py) * z / fy
    camera = torch.stack([x, y, z, torch.ones_like(x)], -1).reshape(-1, 4)
    world = (world_from_camera @ camera.T).T
    world = (world[:, :3] / world[:, 3:]).reshape(1, height, width, 3).permute(0, 3, 1, 2)
    patches = F.interpolate(world, size=(grid, grid), mode="nearest")
    return patches.permute(0, 2, 3, 1).reshape(grid * grid, 3).numpy()


def voxel_pool(xyz, features, voxel_size):
    """float32 [N, 3], [N, C] -> (voxel of each point [N], mean features [M, C], mean positions [M, 3])."""
    points = torch.as_tensor(np.asarray(xyz, dtype=np.float32))[None]
    cells = torch.round(points / voxel_size).long()
    cells = cells - cells.min(1, keepdim=True)[0]
    extent = cells.max(1, keepdim=True)[0] + 1
    keys = torch.zeros(cells.shape[:2], dtype=torch.long)
    for axis in range(2):
        keys += cells[..., axis]
        keys *= extent[..., axis + 1]
    keys += cells[..., 2]
    voxel = torch.unique(keys[0], return_inverse=True)[1]
    count = int(voxel.max()) + 1
    members = torch.bincount(voxel, minlength=count).to(torch.float64)[:, None]
    feats = torch.as_tensor(np.asarray(features, dtype=np.float32)).to(torch.float64)
    pooled = torch.zeros(count, feats.shape[1], dtype=torch.float64).index_add_(0, voxel, feats) / members
    centres = torch.zeros(count, 3, dtype=torch.float64).index_add_(0, voxel, points[0].to(torch.float64)) / members
    return voxel.numpy(), pooled.numpy(), centres.numpy()


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_CLICK = re.compile(r"\[\s*(" + _NUMBER + r")\s*,\s*(" + _NUMBER + r")\s*,\s*(" + _NUMBER + r")\s*\]", re.ASCII)


def clicks(question):
    """The clicks of a question: ([start, end) character spans [K, 2], points float64 [K, 3])."""
    found = list(_CLICK.finditer(question))
    spans = np.array([[m.start(), m.end()] for m in found], dtype=np.int64).reshape(-1, 2)
    points = np.array([[float(m.group(i)) for i in (1, 2, 3)] for m in found], dtype=np.float64).reshape(-1, 3)
    return spans, points


def _quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


ACTIVATIONS = {"quick_gelu": _quick_gelu, "gelu": lambda x: F.gelu(x),
               "gelu_new": lambda x: F.gelu(x, approximate="tanh"), "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh")}


def clip_vision(pixel_values, weights, heads, eps=1e-5, act="quick_gelu", select_layer=-2, prefix="vision_model."):
    """CLIPVisionModel on float32 [3, S, S] -> hidden_states[select_layer][1:] as float64 [g * g, hidden]."""
    def w(name):
        return torch.as_tensor(np.asarray(weights[prefix + name], dtype=np.float32)).to(torch.float64)

    conv = w("embeddings.patch_embedding.weight")
    hidden, patch = conv.shape[0], conv.shape[2]
    x = torch.as_tensor(np.asarray(pixel_values, dtype=np.float32)).to(torch.float64)[None]
    patches = F.conv2d(x, conv, stride=patch).flatten(2).transpose(1, 2)
    embeddings = torch.cat([w("embeddings.class_embedding").reshape(1, 1, hidden), patches], dim=1)
    embeddings = embeddings + w("embeddings.position_embedding.weight")[None]
    states = [F.layer_norm(embeddings, (hidden,), w("pre_layrnorm.weight"), w("pre_layrnorm.bias"), eps)]
    layers = 0
    while prefix + f"encoder.layers.{layers}.layer_norm1.weight" in weights:
        layers += 1
    head_dim = hidden // heads
    for layer in range(layers):
        p = f"encoder.layers.{layer}."
        h = states[-1]
        a = F.layer_norm(h, (hidden,), w(p + "layer_norm1.weight"), w(p + "layer_norm1.bias"), eps)
        n = a.shape[1]

        def project(name, t=a):
            return F.linear(t, w(p + f"self_attn.{name}.weight"), w(p + f"self_attn.{name}.bias"))

        q = (project("q_proj") * head_dim ** -0.5).reshape(1, n, heads, head_dim).transpose(1, 2)
        k = project("k_proj").reshape(1, n, heads, head_dim).transpose(1, 2)
        v = project("v_proj").reshape(1, n, heads, head_dim).transpose(1, 2)
        attended = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        attended = attended.transpose(1, 2).reshape(1, n, hidden)
        h = h + F.linear(attended, w(p + "self_attn.out_proj.weight"), w(p + "self_attn.out_proj.bias"))
        m = F.layer_norm(h, (hidden,), w(p + "layer_norm2.weight"), w(p + "layer_norm2.bias"), eps)
        m = ACTIVATIONS[act](F.linear(m, w(p + "mlp.fc1.weight"), w(p + "mlp.fc1.bias")))
        states.append(h + F.linear(m, w(p + "mlp.fc2.weight"), w(p + "mlp.fc2.bias")))
    return states[select_layer][0, 1:].numpy()


def _clip_hints(model_dir):
    path = os.path.join(model_dir, "config.json")
    config = {}
    if os.path.exists(path):
        with open(path) as f:
            config = json.load(f)
        config = config.get("vision_config", config)
    return config


def compute(case_dir):
    """The expected outputs of one case: name -> numpy array."""
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)
    if case.get("format") != FORMAT:
        raise ValueError(f"{case_dir}/case.json: format {case.get('format')!r}, expected {FORMAT}")
    kind, params = case["kind"], case.get("params", {})
    inputs = safetensors_file.read(os.path.join(case_dir, "inputs.safetensors")).tensors
    if kind == "clip_preprocess":
        return {"pixel_values": clip_preprocess(inputs["rgb"].astype(np.uint8), int(params["size"]))}
    if kind == "depth_preprocess":
        metres, k = depth_preprocess(inputs["depth"], inputs["intrinsic"], int(params["size"]), float(params["depth_scale"]))
        return {"depth": metres.astype(np.float32), "intrinsic": k.astype(np.float64)}
    if kind == "unproject":
        xyz = unproject(inputs["depth"], inputs["intrinsic"], inputs["pose"], inputs["axis_align"], int(params["grid"]))
        return {"xyz": xyz.astype(np.float32)}
    if kind == "voxel_pool":
        voxel, pooled, centres = voxel_pool(inputs["xyz"], inputs["features"], float(params["voxel_size"]))
        return {"voxel_of_point": voxel.astype(np.int64), "features": pooled.astype(np.float32), "xyz": centres.astype(np.float32)}
    model_dir = os.path.join(case_dir, "model")
    weights = safetensors_file.read(os.path.join(model_dir, "model.safetensors")).tensors
    if kind == "vit":
        hints = _clip_hints(model_dir)
        features = clip_vision(inputs["pixel_values"], weights, int(hints["num_attention_heads"]),
                               float(hints.get("layer_norm_eps", 1e-5)), hints.get("hidden_act", "quick_gelu"),
                               int(params["select_layer"]))
        return {"features": features.astype(np.float32)}
    if kind == "position_mlp":
        return {"embeds": multimodal.position_embedding(inputs["xyz"], weights, params["prefix"]).numpy().astype(np.float32)}
    if kind == "click":
        spans, points = clicks(bytes(np.asarray(inputs["question"], dtype=np.uint8)).decode("utf-8"))
        embeds = multimodal.position_embedding(points.astype(np.float32), weights, multimodal.CLICK_POSITION_PREFIX)
        return {"spans": spans, "xyz": points, "embeds": embeds.numpy().astype(np.float32)}
    if kind == "projector":
        return {"embeds": multimodal.project(inputs["features"], weights).numpy().astype(np.float32)}
    raise ValueError(f"{case_dir}/case.json: unknown kind {kind!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m adatoken_oracle.frontend", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", required=True, help="folder of case folders (each with case.json and inputs.safetensors)")
    args = parser.parse_args(argv)
    done = 0
    for name in sorted(os.listdir(args.cases)):
        case_dir = os.path.join(args.cases, name)
        if not os.path.isfile(os.path.join(case_dir, "case.json")):
            continue
        try:
            outputs = compute(case_dir)
        except (ValueError, KeyError, OSError) as e:
            print(f"frontend: {case_dir}: {e}", file=sys.stderr)
            return 2
        safetensors_file.write(os.path.join(case_dir, "expected.safetensors"), outputs,
                               {"oracle": "adatoken_oracle.frontend", "torch": torch.__version__})
        done += 1
    print(f"frontend: {done} cases computed in {args.cases}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
