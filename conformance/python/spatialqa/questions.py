"""Questions about a scene, each with a one-word answer, in seven types.

  colour   What colour is the {shape}?                          (that shape is unique in the room)
  shape    What shape is the {colour} object?                   (that colour is unique)
  exists   Is there a {colour} {shape}?                         yes / no, half each
  count    How many {colour} objects are there? / How many {shapes} are there?   zero .. six
  nearest  What colour is the object nearest to the {colour} {shape}?   (the nearest is 0.4 m nearer than the next)
  left     Is the {a} left of the {b}?                          yes / no; x differs by at least 0.6 m
  bigger   Is the {a} bigger than the {b}?                      yes / no; one is large, the other small

Training also asks `describe` (What objects are there?), answered by every object as "large red cube, small
blue ball, ..." from left to right (by x): the stage-1 alignment task of LLaVA, scaled down. It gives the
model a dense signal for reading objects off the spatial tokens, which the one-word questions alone (one
token of supervision each) did not give early enough to get training off its plateau. It is not scored.
"""
from dataclasses import dataclass

import numpy as np

from .scenes import COLOURS, SHAPES, SHAPE_PLURALS

TYPES = ("colour", "shape", "exists", "count", "nearest", "left", "bigger")
EASY_TYPES = ("colour", "shape", "exists")
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six")


@dataclass(frozen=True)
class Question:
    type: str
    text: str
    answer: str
    objects: tuple = ()   # indices of the objects the answer depends on


def _unique_by(rng, scene, attribute, values):
    """Index of an object drawn among those whose `attribute` ('colour' or 'shape') no other object shares,
    or None when there is none."""
    counts = np.bincount([getattr(o, attribute) for o in scene.objects], minlength=values)
    unique = [i for i, o in enumerate(scene.objects) if counts[getattr(o, attribute)] == 1]
    return int(rng.choice(unique)) if unique else None


def _colour(rng, scene):
    i = _unique_by(rng, scene, "shape", len(SHAPES))
    if i is None:
        return None
    o = scene.objects[i]
    return Question("colour", f"What colour is the {SHAPES[o.shape]}?", COLOURS[o.colour], (i,))


def _shape(rng, scene):
    i = _unique_by(rng, scene, "colour", len(COLOURS))
    if i is None:
        return None
    o = scene.objects[i]
    return Question("shape", f"What shape is the {COLOURS[o.colour]} object?", SHAPES[o.shape], (i,))


def _exists(rng, scene):
    present = {(o.colour, o.shape) for o in scene.objects}
    if rng.random() < 0.5:
        i = int(rng.integers(len(scene.objects)))
        o = scene.objects[i]
        return Question("exists", f"Is there a {o.name()}?", "yes", (i,))
    # An absent pair that shares its colour or shape with something present, so that one attribute alone
    # does not answer it.
    absent = [(c, s) for c in range(len(COLOURS)) for s in range(len(SHAPES))
              if (c, s) not in present and any(o.colour == c or o.shape == s for o in scene.objects)]
    c, s = absent[int(rng.integers(len(absent)))]
    related = tuple(i for i, o in enumerate(scene.objects) if o.colour == c or o.shape == s)
    return Question("exists", f"Is there a {COLOURS[c]} {SHAPES[s]}?", "no", related)


def _count(rng, scene):
    if rng.random() < 0.5:
        c = int(rng.choice([o.colour for o in scene.objects])) if rng.random() < 0.75 else int(rng.integers(len(COLOURS)))
        hits = tuple(i for i, o in enumerate(scene.objects) if o.colour == c)
        text = f"How many {COLOURS[c]} objects are there?"
    else:
        s = int(rng.choice([o.shape for o in scene.objects])) if rng.random() < 0.75 else int(rng.integers(len(SHAPES)))
        hits = tuple(i for i, o in enumerate(scene.objects) if o.shape == s)
        text = f"How many {SHAPE_PLURALS[s]} are there?"
    return Question("count", text, NUMBERS[len(hits)], hits)


def _nearest(rng, scene):
    if len(scene.objects) < 2:
        return None
    i = int(rng.integers(len(scene.objects)))
    a = scene.objects[i]
    others = [j for j in range(len(scene.objects)) if j != i]
    d = np.array([np.linalg.norm(scene.objects[j].centre - a.centre) for j in others])
    order = np.argsort(d)
    if len(d) > 1 and d[order[1]] - d[order[0]] < 0.4:
        return None
    j = others[int(order[0])]
    return Question("nearest", f"What colour is the object nearest to the {a.name()}?",
                    COLOURS[scene.objects[j].colour], (i, j))


def _pair(rng, scene, accept):
    n = len(scene.objects)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j and accept(scene.objects[i], scene.objects[j])]
    if not pairs:
        return None
    return pairs[int(rng.integers(len(pairs)))]


def _left(rng, scene):
    pair = _pair(rng, scene, lambda a, b: abs(a.centre[0] - b.centre[0]) >= 0.6)
    if pair is None:
        return None
    a, b = scene.objects[pair[0]], scene.objects[pair[1]]
    return Question("left", f"Is the {a.name()} left of the {b.name()}?", "yes" if a.centre[0] < b.centre[0] else "no", pair)


def _bigger(rng, scene):
    pair = _pair(rng, scene, lambda a, b: a.large != b.large)
    if pair is None:
        return None
    a, b = scene.objects[pair[0]], scene.objects[pair[1]]
    return Question("bigger", f"Is the {a.name()} bigger than the {b.name()}?", "yes" if a.large else "no", pair)


def describe(scene):
    order = sorted(range(len(scene.objects)), key=lambda i: (scene.objects[i].centre[0], scene.objects[i].centre[1]))
    words = [("large " if scene.objects[i].large else "small ") + scene.objects[i].name() for i in order]
    return Question("describe", DESCRIBE, ", ".join(words), tuple(order))


DESCRIBE = "What objects are there?"

MAKERS = {"colour": _colour, "shape": _shape, "exists": _exists, "count": _count,
          "nearest": _nearest, "left": _left, "bigger": _bigger}


def make_questions(rng, scene, count, types=TYPES, weights=None):
    """`count` questions of types drawn from `types`, uniformly or with probabilities `weights` (a type that
    does not fit the scene is redrawn); duplicates within a scene are avoided where the scene allows."""
    out, seen = [], set()
    for _ in range(count * 20):
        if len(out) == count:
            break
        t = int(rng.integers(len(types))) if weights is None else int(rng.choice(len(types), p=weights))
        q = MAKERS[types[t]](rng, scene)
        if q is None or q.text in seen:
            continue
        seen.add(q.text)
        out.append(q)
    return out


def corpus_lines():
    """Every question and answer the generator can produce, for training the tokenizer."""
    lines = []
    for c in COLOURS:
        lines.append(f"What shape is the {c} object?")
        lines.append(f"How many {c} objects are there?")
        for s in SHAPES:
            lines.append(f"Is there a {c} {s}?")
            lines.append(f"What colour is the object nearest to the {c} {s}?")
            lines.append(f"Is the {c} {s} left of the {c} {s}?")
            lines.append(f"Is the {c} {s} bigger than the {c} {s}?")
    for s, p in zip(SHAPES, SHAPE_PLURALS):
        lines.append(f"What colour is the {s}?")
        lines.append(f"How many {p} are there?")
    lines += list(COLOURS) + list(SHAPES) + list(NUMBERS) + ["yes", "no", DESCRIBE]
    lines += [f"{size} {c} {s}, " * 3 for size in ("large", "small") for c in COLOURS for s in SHAPES]
    return lines
