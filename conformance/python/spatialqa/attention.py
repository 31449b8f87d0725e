"""Where the model looks: for each layer and head, the share of one prompt position's attention that falls on
the question's object, on the room's other objects, on the background and on the text, averaged over the
held-out questions of one type (PyTorch oracle, float64, unpruned):

  PYTHONPATH=conformance/python /usr/bin/python3 -m spatialqa.attention --dir conformance/spatialqa --type colour [--back 1]

--back N looks at the prompt token N places before the prompt's end: 1 is the last one, where the first answer
token is read; 4 in a `colour` question ("What colour is the cube? ASSISTANT:") is its shape word. The output
names the token. The question's object is the first of its `objects` (for `colour` and `shape`, the one object
the question names).
"""
import argparse
import os

import numpy as np
import torch

from adatoken_oracle import checkpoint as checkpoint_module
from adatoken_oracle.decoder import Decoder
from adatoken_oracle.multimodal import project

from . import dataset
from .prompt import PromptCodec
from .questions import TYPES

COLUMNS = ("object", "other objects", "background", "text")


class RecordingDecoder(Decoder):
    """The oracle's decoder, keeping every layer's attention probabilities [heads, rows, keys] of the last run."""

    def __init__(self, checkpoint, dtype=torch.float64):
        super().__init__(checkpoint, dtype)
        self.recorded = []

    def probabilities(self, q, cache, q_positions):
        probs = super().probabilities(q, cache, q_positions)
        self.recorded.append(probs)
        return probs

    def prefill(self, *args, **kwargs):
        self.recorded = []
        return super().prefill(*args, **kwargs)


def shares(model_dir, scenes, questions, back):
    """([layers, heads, 4] mean shares in COLUMNS order, the token looked at in the first question)."""
    ckpt = checkpoint_module.load(model_dir)
    decoder = RecordingDecoder(ckpt)
    codec = PromptCodec(os.path.join(model_dir, "tokenizer.model"))
    per_question, token, embeds = [], None, {}
    for q in questions:
        features, _, owner = scenes[q["scene"]]
        if q["scene"] not in embeds:
            embeds[q["scene"]] = project(features, ckpt.weights).to(torch.float32).numpy()
        ids, block = codec.with_room(q["question"], embeds[q["scene"]])
        decoder.prefill(ids, block)
        row = len(ids) - back
        if token is None:
            token = f"{codec.sp.id_to_piece(ids[row])!r} in {q['question']!r}"
        target = q["objects"][0]
        groups = (owner == target, (owner >= 0) & (owner != target), owner < 0)
        layers = []
        for probs in decoder.recorded:
            spatial = probs[:, row, block.start:block.start + block.count].numpy()   # [heads, N]
            parts = [spatial[:, g].sum(axis=1) for g in groups]
            layers.append(np.stack(parts + [1.0 - spatial.sum(axis=1)], axis=1))
        per_question.append(layers)
    return np.mean(per_question, axis=0), token


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="conformance/spatialqa", help="holds model/ and the held-out split")
    ap.add_argument("--type", default="colour", choices=TYPES)
    ap.add_argument("--back", type=int, default=1, help="the prompt token this many places before the end (1: the last)")
    ap.add_argument("--limit", type=int, help="at most this many questions")
    args = ap.parse_args(argv)
    if args.back < 1:
        ap.error("--back must be at least 1")
    scenes, doc = dataset.read_split(os.path.join(args.dir, "heldout.safetensors"),
                                     os.path.join(args.dir, "heldout-questions.json"))
    questions = [q for q in doc["questions"] if q["type"] == args.type][:args.limit]
    table, token = shares(os.path.join(args.dir, "model"), scenes, questions, args.back)
    print(f"attention of {token} (and the same place in the others), {len(questions)} held-out {args.type} questions")
    print("layer head " + "".join(f"{c:>15}" for c in COLUMNS))
    for l, heads in enumerate(table):
        for h, row in enumerate(heads):
            print(f"{l:5d} {h:4d} " + "".join(f"{100 * v:14.1f}%" for v in row))


if __name__ == "__main__":
    main()
