"""Exact-match accuracy of the checkpoint on the held-out questions, computed by the PyTorch oracle
(adatoken_oracle: float64 decoder, mlp2x_gelu projector, AdaToken gate), per question type:

  PYTHONPATH=conformance/python /usr/bin/python3 -m spatialqa.evaluate --dir conformance/spatialqa [--prune tau=0.05]

Unpruned, it writes DIR/model/metrics.json: the accuracy per type and every answer the oracle gave (the
Java engine's test compares its own answers and accuracy with these).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from adatoken_oracle import checkpoint as checkpoint_module
from adatoken_oracle.decoder import Decoder
from adatoken_oracle.gating import PrunePolicy, parse_policy
from adatoken_oracle.multimodal import project

from . import dataset
from .prompt import PromptCodec
from .questions import TYPES

MAX_ANSWER_TOKENS = 4


def normalise(text):
    """Trimmed, lower-cased, without one final full stop (as the engine's QaQuestion.isAnsweredBy)."""
    t = text.strip().lower()
    return t[:-1] if t.endswith(".") else t


def answer(decoder, codec, weights, features, question, policy=None, embeds=None):
    """(answer text, spatial tokens kept, first-token margin)."""
    if embeds is None:
        embeds = project(features, weights).to(torch.float32).numpy()
    prefill = decoder.prefill(*codec.with_room(question, embeds), policy=policy)
    out = decoder.greedy(prefill, MAX_ANSWER_TOKENS)
    tokens = out.ids[:out.ids.index(codec.eos)] if codec.eos in out.ids else out.ids
    kept = len(embeds) if prefill.gate is None else len(prefill.gate.kept)
    return codec.decode(tokens), kept, out.margins[0]


def evaluate(model_dir, scenes, doc, prune="none", limit=None, progress=True):
    ckpt = checkpoint_module.load(model_dir)
    decoder = Decoder(ckpt, torch.float64)
    codec = PromptCodec(os.path.join(model_dir, "tokenizer.model"))
    parsed = parse_policy(prune)
    policy = None if parsed is None else PrunePolicy(kind=parsed[0], value=parsed[1], text=parsed[2], layer=2)
    questions = doc["questions"][:limit]
    embeds = {}
    answers, margins, kept = [], [], []
    right, total = {}, {}
    t0 = time.time()
    for k, q in enumerate(questions):
        i = q["scene"]
        if i not in embeds:
            embeds[i] = project(scenes[i][0], ckpt.weights).to(torch.float32).numpy()
        text, kept_count, margin = answer(decoder, codec, ckpt.weights, None, q["question"], policy, embeds[i])
        ok = normalise(text) == normalise(q["answer"])
        answers.append(text.strip())
        margins.append(round(float(margin), 4))
        kept.append(kept_count / len(embeds[i]))
        right[q["type"]] = right.get(q["type"], 0) + ok
        total[q["type"]] = total.get(q["type"], 0) + 1
        if progress and (k + 1) % 50 == 0:
            print(f"evaluate: {k + 1}/{len(questions)} questions, {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    accuracy = {t: right[t] / total[t] for t in TYPES if t in total}
    accuracy["all"] = sum(right.values()) / len(questions)
    return {"accuracy": accuracy, "correct": {t: right[t] for t in total}, "questions": {t: total[t] for t in total},
            "answers": answers, "margins": margins, "kept_share": float(np.mean(kept))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="folder with model/, heldout.safetensors, heldout-questions.json")
    ap.add_argument("--prune", default="none", help="none | tau=T | keep=R (gate layer 2, last-token query)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    args = ap.parse_args(argv)
    model_dir = os.path.join(args.dir, "model")
    scenes, doc = dataset.read_split(os.path.join(args.dir, "heldout.safetensors"),
                                     os.path.join(args.dir, "heldout-questions.json"))
    result = evaluate(model_dir, scenes, doc, args.prune, args.limit)
    for t, a in result["accuracy"].items():
        n = len(doc["questions"][:args.limit]) if t == "all" else result["questions"][t]
        print(f"{t:8s} {100 * a:6.1f}%  ({n} questions)")
    print(f"spatial tokens kept: {100 * result['kept_share']:.1f}%")
    if args.prune == "none" and args.limit is None:
        metrics = {"oracle": "adatoken_oracle decoder, float64, unpruned, greedy, exact match after strip/lowercase",
                   "command": "PYTHONPATH=conformance/python /usr/bin/python3 -m spatialqa.evaluate --dir " + args.dir,
                   "torch": torch.__version__, **result}
        with open(os.path.join(model_dir, "metrics.json"), "w") as f:
            json.dump(metrics, f, indent=1)
            f.write("\n")
        print(f"wrote {os.path.join(model_dir, 'metrics.json')}")


if __name__ == "__main__":
    main()
