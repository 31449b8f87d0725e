"""Splits of scenes and questions, and the files they are stored in (README.md, "Files").

Scene i of split k is drawn from numpy's generator seeded with SeedSequence([seed, k, i]); split 0 is for
training (drawn on the fly, never stored), split 1 is held out (stored for evaluation and the demo), split 3
is a small calibration set for the pruning profile (stored); stream 2 draws the training-time token cuts.
"""
import json
import os

import numpy as np

from adatoken_oracle import safetensors_file

from .questions import make_questions
from .scenes import COLOURS, SHAPES, make_scene

TRAIN, HELDOUT, TRAIN_CUT, CALIBRATION = 0, 1, 2, 3
FORMAT = "adatoken3d-spatialqa/1"


def scene_rng(seed, split, index):
    return np.random.default_rng(np.random.SeedSequence([seed, split, index]))


def draw(seed, split, index, min_tokens, max_tokens, questions, objects=(3, 6), type_weights=None):
    """Scene `index` of `split` with objects[0]..objects[1] objects, and `questions` questions about it
    (types drawn uniformly, or with probabilities type_weights in the order of questions.TYPES)."""
    rng = scene_rng(seed, split, index)
    scene = make_scene(rng, min_tokens, max_tokens, *objects)
    return scene, make_questions(rng, scene, questions, weights=type_weights)


def write_split(scenes_path, questions_path, scenes, questions, seed, split, command):
    """Stores scenes (features F16, xyz F16, owner I16, offsets I64) and their questions (JSON)."""
    counts = [len(s.features) for s in scenes]
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    safetensors_file.write(scenes_path, {
        "features": (np.concatenate([s.features for s in scenes]).astype(np.float16), "F16"),
        "xyz": (np.concatenate([s.xyz for s in scenes]).astype(np.float16), "F16"),
        "owner": (np.concatenate([s.owner for s in scenes]).astype(np.int16), "I16"),
        "offsets": (offsets, "I64"),
    }, {"format": FORMAT, "seed": str(seed), "split": str(split)})
    doc = {
        "format": FORMAT,
        "seed": seed,
        "split": split,
        "command": command,
        "scenes_file": os.path.basename(scenes_path),
        "scenes": [{"tokens": len(s.features),
                    "objects": [{"colour": COLOURS[o.colour], "shape": SHAPES[o.shape],
                                 "size": "large" if o.large else "small",
                                 "centre": [round(float(v), 3) for v in o.centre]} for o in s.objects]}
                   for s in scenes],
        "questions": [{"scene": i, "type": q.type, "question": q.text, "answer": q.answer, "objects": list(q.objects)}
                      for i, qs in enumerate(questions) for q in qs],
    }
    with open(questions_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def read_split(scenes_path, questions_path):
    """(list of (features [N, mm] float32, xyz [N, 3] float32, owner [N]), questions JSON document)."""
    st = safetensors_file.read(scenes_path)
    off = st.tensors["offsets"]
    feats, xyz, owner = (st.tensors[k].astype(np.float32 if k != "owner" else np.int64) for k in ("features", "xyz", "owner"))
    scenes = [(feats[off[i]:off[i + 1]], xyz[off[i]:off[i + 1]], owner[off[i]:off[i + 1]]) for i in range(len(off) - 1)]
    with open(questions_path) as f:
        doc = json.load(f)
    return scenes, doc
