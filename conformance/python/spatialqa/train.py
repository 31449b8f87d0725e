"""Trains the spatial-QA checkpoint on the CPU (float32, autograd), seeded:

  PYTHONPATH=conformance/python /usr/bin/python3 -m spatialqa.train --out stage1 --seed 3 --steps 6000 \
      --questions 16 --background 16 192 --ramp 1500 --object-ramp 2000 --qk-std 0.1 --lr 2e-3 --save-every 500

The committed checkpoint is that run grown by one layer and trained on (spatialqa/README.md says why):

  PYTHONPATH=conformance/python /usr/bin/python3 -m spatialqa.train --out conformance/spatialqa --init stage1/model \
      --layers 5 --new-layer 1 --first-scene 48000 --ramp 1 --object-ramp 0 --warmup 50 --steps 2000 --lr 1e-3 \
      --type-weights colour=2 --save-every 250

Writes OUT/model/ (config.json, model.safetensors, tokenizer.model, training.json) every --save-every steps
and at the end, and, once, the held-out split (OUT/heldout.safetensors + OUT/heldout-questions.json) and the
calibration split (OUT/calibration.*). Training
scenes come from split 0 of the seed, drawn on the fly; the held-out scenes (split 1) are never trained on.
Progress goes to stderr. Evaluate the result with the oracle: python3 -m spatialqa.evaluate.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

from . import dataset
from .model import SpatialQaModel, default_config
from .prompt import PromptCodec, tokenizer_lines, train_tokenizer
from .questions import DESCRIBE, TYPES, corpus_lines, describe
from .scenes import MM_HIDDEN

HELDOUT_SCENES = 48
HELDOUT_QUESTIONS = 12
HELDOUT_TOKENS = (300, 1500)
TRAIN_TOKENS = (150, 1500)
CALIBRATION_SCENES = 8
CALIBRATION_QUESTIONS = 4


class Batches:
    """Training batches: B fresh scenes of split 0, Q questions each, every scene cut to its object tokens
    plus at most `background(step)` background tokens (object tokens always stay). Kept tokens keep their
    original positions, so the model sees the real distances of scenes of up to 1500 tokens, and learns
    that a scene with tokens missing (what pruning leaves) still reads the same.

    The background budget grows from `first` to `last` tokens over the first `ramp` steps: with little
    background, attention that happens to fall on an object is not drowned in the average over hundreds of
    uninformative tokens, so the model finds the objects early; then it learns to ignore a full room. Early
    scenes are also often given as rooms of their own (the kept tokens at consecutive positions, the question
    right after them), a share that falls to zero over the ramp: matching a question word to an object's
    tokens is found much sooner over short distances than over the ~1500 positions of a full room."""

    def __init__(self, codec, seed, scenes, questions, first, last, ramp, object_ramp, type_weights=None, first_scene=0):
        self.codec, self.seed, self.B, self.Q = codec, seed, scenes, questions
        self.type_weights = type_weights
        self.first, self.last, self.ramp = first, last, ramp
        self.describe = True
        self.object_ramp = object_ramp
        self.index = first_scene
        self.start = len(codec.before)

    def objects(self, step):
        """Rooms start with a single object, where reading its attributes needs no search, and reach the
        held-out range (3..6) after object_ramp steps: without this, training sat at the answer prior."""
        if step >= self.object_ramp:
            return 3, 6
        return 1, 1 + int(5 * step / self.object_ramp)

    def background(self, step):
        return int(self.first + (self.last - self.first) * min(1.0, step / self.ramp))

    def next(self, step):
        budget = self.background(step)
        rows = []
        for _ in range(self.B):
            scene, qs = dataset.draw(self.seed, dataset.TRAIN, self.index, *TRAIN_TOKENS, self.Q, self.objects(step),
                                     self.type_weights)
            rng = dataset.scene_rng(self.seed, dataset.TRAIN_CUT, self.index)     # the cut's own stream
            self.index += 1
            objects = np.nonzero(scene.owner >= 0)[0]
            background = np.nonzero(scene.owner < 0)[0]
            if len(background) <= budget and rng.random() < 0.5:
                keep = np.arange(len(scene.owner))
            else:
                room = min(len(background), budget)
                count = int(rng.integers(min(16, room), room + 1))
                keep = np.sort(np.concatenate((objects, rng.choice(background, size=count, replace=False))))
            qa = [(q.text, q.answer) for q in qs] + ([(DESCRIBE, describe(scene).answer)] if self.describe else [])
            if rng.random() < 1.0 - min(1.0, step / self.ramp):
                # Early on, often as a small room of its own: short distances between question and objects.
                rows.append((scene.features[keep], len(keep), np.arange(len(keep)), qa))
            else:
                rows.append((scene.features, len(scene.owner), keep, qa))
        return collate(self.codec, self.start, rows)


def collate(codec, start, rows):
    """rows: (features [N, mm] of the whole scene, N, kept token indices, [(question, answer)])."""
    B = len(rows)
    M = max(len(keep) for _, _, keep, _ in rows)
    Q = max(len(qa) for _, _, _, qa in rows)
    seqs = [[(codec.after(q), codec.answer(a)) for q, a in qa] for _, _, _, qa in rows]
    T = max(len(a) + len(t) - 1 for s in seqs for a, t in s)
    features = torch.zeros(B, M, MM_HIDDEN)
    feature_pos = torch.zeros(B, M, dtype=torch.int64)
    feature_valid = torch.zeros(B, M, dtype=torch.bool)
    qids = torch.zeros(B, Q, T, dtype=torch.int64)
    qpos = torch.zeros(B, Q, T, dtype=torch.int64)
    qvalid = torch.zeros(B, Q, T, dtype=torch.bool)
    pick, targets = [], []
    for b, (scene_features, n, keep, _) in enumerate(rows):
        m = len(keep)
        features[b, :m] = torch.from_numpy(scene_features[keep])
        feature_pos[b, :m] = torch.from_numpy(start + keep)
        feature_valid[b, :m] = True
        for q, (after, answer) in enumerate(seqs[b]):
            ids = after + answer[:-1]
            qids[b, q, :len(ids)] = torch.tensor(ids)
            qpos[b, q, :] = start + n + torch.arange(T)
            qvalid[b, q, :len(ids)] = True
            for j, target in enumerate(answer):
                pick.append((b, q, len(after) - 1 + j))
                targets.append(target)
    pick = torch.tensor(pick)
    return (features, feature_pos, feature_valid, qids, qpos, qvalid), pick, torch.tensor(targets)


def answer_logits(model, codec, inputs, pick):
    hidden = model(torch.tensor(codec.before), *inputs)
    return model.lm_head(hidden[pick[:, 0], pick[:, 1], pick[:, 2]])


def quick_eval(model, codec, scenes, doc, limit_scenes):
    """Teacher-forced exact match on held-out questions (every answer token, EOS included, is the argmax),
    which equals greedy exact match; float32, for progress only."""
    model.eval()
    right, total = {}, {}
    with torch.no_grad():
        for i in range(min(limit_scenes, len(scenes))):
            feats, _, owner = scenes[i]
            qs = [q for q in doc["questions"] if q["scene"] == i]
            row = (feats, len(owner), np.arange(len(owner)), [(q["question"], q["answer"]) for q in qs])
            inputs, pick, targets = collate(codec, len(codec.before), [row])
            ok = answer_logits(model, codec, inputs, pick).argmax(-1) == targets
            for qi, q in enumerate(qs):
                hit = bool(ok[pick[:, 1] == qi].all())
                right[q["type"]] = right.get(q["type"], 0) + hit
                total[q["type"]] = total.get(q["type"], 0) + 1
    model.train()
    acc = {t: right[t] / total[t] for t in total}
    acc["all"] = sum(right.values()) / sum(total.values())
    return acc


def type_weights(text):
    """'colour=3,exists=2' -> probabilities over questions.TYPES (unnamed types weigh 1); '' -> None (uniform)."""
    if not text:
        return None
    weights = dict.fromkeys(TYPES, 1.0)
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in weights:
            raise SystemExit(f"--type-weights: unknown question type {name.strip()!r}; types: {', '.join(TYPES)}")
        weights[name.strip()] = float(value)
    total = sum(weights.values())
    return [weights[t] / total for t in TYPES]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--scenes", type=int, default=8, help="scenes per step")
    ap.add_argument("--questions", type=int, default=16,
                    help="questions per scene (the scene's prefix is most of a step's work; its questions are cheap)")
    ap.add_argument("--background", type=int, nargs=2, default=(16, 192), metavar=("FIRST", "LAST"),
                    help="most background tokens kept per training scene, at the start and after --ramp steps")
    ap.add_argument("--ramp", type=int, default=1500)
    ap.add_argument("--object-ramp", type=int, default=2000)
    ap.add_argument("--qk-std", type=float, default=0.1,
                    help="init std of q_proj/k_proj (other matrices 0.02): attention that depends on content from the"
                         " start; with 0.02 training sat at the answer prior")
    ap.add_argument("--type-weights", default="",
                    help="how often each question type is drawn in training, e.g. colour=3 (others 1; default uniform);"
                         " held-out and calibration questions are always uniform")
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (with 4e-3, held-out accuracy stayed at the answer prior through 1200 steps)")
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=384)
    ap.add_argument("--rope-theta", type=float, default=1e6,
                    help="RoPE base; with 32-wide heads and 10000 few rotary pairs stay still over the ~1500 positions"
                         " between a question and the room, and matching by content across them failed to train")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (default 1: on a shared 2-core machine two threads ran 6x slower)")
    ap.add_argument("--init", metavar="MODEL_DIR",
                    help="start from this checkpoint's weights (model.safetensors of a run with the same shape, or one layer"
                         " fewer with --new-layer) instead of a fresh init, to continue a run; pair it with --first-scene"
                         " so the scenes are new ones")
    ap.add_argument("--new-layer", type=int, metavar="INDEX",
                    help="with --init: the checkpoint has one layer fewer than --layers; insert a fresh layer at INDEX"
                         " whose output starts at zero (the grown model starts as the checkpoint)")
    ap.add_argument("--first-scene", type=int, default=0,
                    help="index of the first training scene drawn (a continued run starts after the scenes already used:"
                         " steps x scenes of the first run)")
    ap.add_argument("--save-every", type=int, default=300)
    ap.add_argument("--log-every", type=int, default=25)
    args = ap.parse_args(argv)
    if args.new_layer is not None and not (args.init and 0 <= args.new_layer < args.layers):
        ap.error("--new-layer needs --init and an index below --layers")

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)   # tiny gradients early on are denormal and slow without it
    model_dir = os.path.join(args.out, "model")
    os.makedirs(model_dir, exist_ok=True)
    tokenizer = os.path.join(model_dir, "tokenizer.model")
    train_tokenizer(tokenizer_lines(corpus_lines()), tokenizer)
    codec = PromptCodec(tokenizer)
    command = "PYTHONPATH=conformance/python /usr/bin/python3 -m spatialqa.train " + " ".join(argv if argv is not None else sys.argv[1:])

    scenes_path = os.path.join(args.out, "heldout.safetensors")
    questions_path = os.path.join(args.out, "heldout-questions.json")
    drawn = [dataset.draw(args.seed, dataset.HELDOUT, i, *HELDOUT_TOKENS, HELDOUT_QUESTIONS) for i in range(HELDOUT_SCENES)]
    dataset.write_split(scenes_path, questions_path, [s for s, _ in drawn], [q for _, q in drawn], args.seed,
                        dataset.HELDOUT, command)
    heldout, doc = dataset.read_split(scenes_path, questions_path)
    drawn = [dataset.draw(args.seed, dataset.CALIBRATION, i, *HELDOUT_TOKENS, CALIBRATION_QUESTIONS)
             for i in range(CALIBRATION_SCENES)]
    dataset.write_split(os.path.join(args.out, "calibration.safetensors"), os.path.join(args.out, "calibration-questions.json"),
                        [s for s, _ in drawn], [q for _, q in drawn], args.seed, dataset.CALIBRATION, command)

    cfg = default_config(codec.vocab_size(), MM_HIDDEN, args.hidden, args.layers, args.heads, args.intermediate, args.rope_theta)
    model = SpatialQaModel(cfg)
    if args.qk_std != 0.02:
        torch.manual_seed(args.seed)   # the run's init depends on the seed and qk_std alone
        model._init(args.qk_std)
    if args.init:
        model.load(args.init, args.new_layer)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    rest = [p for n, p in model.named_parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    batches = Batches(codec, args.seed, args.scenes, args.questions, *args.background, args.ramp, args.object_ramp,
                      type_weights(args.type_weights), args.first_scene)
    log = []
    # A continued run's record carries the record of the run it started from, so the whole history stays in one file.
    init_record = None
    if args.init and os.path.exists(os.path.join(args.init, "training.json")):
        with open(os.path.join(args.init, "training.json")) as f:
            init_record = json.load(f)
    t0 = time.time()
    running = None

    def save(step):
        acc = quick_eval(model, codec, heldout, doc, 16)
        entry = {"step": step, "seconds": round(time.time() - t0, 1), "loss": round(running, 4),
                 "heldout_quick": {k: round(v, 3) for k, v in acc.items()}}
        log.append(entry)
        model.export(model_dir, {"step": str(step)})
        with open(os.path.join(model_dir, "training.json"), "w") as f:
            json.dump({"command": command, "seed": args.seed, "args": vars(args), "tokens_per_train_scene": TRAIN_TOKENS,
                       "heldout": {"scenes": HELDOUT_SCENES, "questions_per_scene": HELDOUT_QUESTIONS,
                                   "tokens": HELDOUT_TOKENS},
                       "torch": torch.__version__, "log": log, **({"init": init_record} if init_record else {})},
                      f, indent=1)
            f.write("\n")
        print(f"saved step {step}: {json.dumps(entry)}", file=sys.stderr, flush=True)

    for step in range(1, args.steps + 1):
        lr = args.lr * min(1.0, step / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        inputs, pick, targets = batches.next(step)
        loss = torch.nn.functional.cross_entropy(answer_logits(model, codec, inputs, pick), targets)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % args.log_every == 0 or step == 1:
            el = time.time() - t0
            print(f"step {step}/{args.steps} loss {running:.4f} lr {lr:.2e} {el:.0f} s ({el / step:.2f} s/step)",
                  file=sys.stderr, flush=True)
        if step % args.save_every == 0 or step == args.steps:
            save(step)


if __name__ == "__main__":
    main()
