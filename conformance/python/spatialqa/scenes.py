"""Synthetic rooms as LLaVA-3D's pooled voxel tokens arrive: one token per occupied 0.2 m voxel, in voxel-key
order, each with a feature row [MM_HIDDEN] and its centre xyz in metres.

A room has a floor, walls and some clutter in the air (sensor noise, unlabelled stuff), and a handful of
objects standing on the floor, each with a colour, a shape and a size. Only the object voxels say anything
about the questions; the rest, most of the scene as in real scans, carry noise-like features.

Feature layout (MM_HIDDEN = 48), the same for every token:
  0..2    xyz scaled to about [-1, 1] (x / 3.2 - 1, y / 3.2 - 1, z / 1.2 - 1)
  3..20   sin and cos of pi * f * (those three) for f in 1, 2, 4
  21..28  colour one-hot (objects), 29..32 shape one-hot (objects), 33 size (+1 large, -1 small),
  34      objectness, 35 floor, 36 wall, 37..47 nothing in particular
Objects carry their code at amplitude CODE plus a little noise; background tokens carry their floor/wall flag
plus noise of standard deviation BACKGROUND_NOISE over dims 21..47. The decoder only ever sees these
features (the `--spatial features` path has no position MLP), which is why the position is encoded in them.
Features are rounded to float16, as they are stored.
"""
from dataclasses import dataclass

import numpy as np

COLOURS = ("red", "green", "blue", "yellow", "purple", "orange", "white", "black")
SHAPES = ("cube", "ball", "cylinder", "cone")
SHAPE_PLURALS = ("cubes", "balls", "cylinders", "cones")
VOXEL = 0.2
ROOM_HEIGHT_CELLS = 12
MM_HIDDEN = 48
POSITION_DIMS = 21
COLOUR_DIM, SHAPE_DIM, SIZE_DIM, OBJECT_DIM, FLOOR_DIM, WALL_DIM = 21, 29, 33, 34, 35, 36
CODE = 1.5
OBJECT_NOISE = 0.1
BACKGROUND_NOISE = 0.2
FREQUENCIES = (1.0, 2.0, 4.0)
# Token kinds, for reports and for choosing what training may drop.
BACKGROUND, OBJECT = 0, 1


@dataclass
class SceneObject:
    colour: int
    shape: int
    large: bool
    cell: tuple          # (ix, iy) of its footprint's corner on the floor grid
    centre: np.ndarray   # (x, y) of its footprint's centre, metres

    def name(self):
        return f"{COLOURS[self.colour]} {SHAPES[self.shape]}"


@dataclass
class Scene:
    width: int            # cells along x
    depth: int            # cells along y
    objects: list
    features: np.ndarray  # [N, MM_HIDDEN] float32 (values exact in float16)
    xyz: np.ndarray       # [N, 3] float32, voxel centres
    owner: np.ndarray     # [N] int: index into objects, or -1 for background


def position_code(xyz):
    u = np.asarray(xyz, dtype=np.float64) / np.array([3.2, 3.2, 1.2]) - 1.0
    parts = [u]
    for f in FREQUENCIES:
        parts += [np.sin(np.pi * f * u), np.cos(np.pi * f * u)]
    return np.concatenate(parts, axis=1)


def _object_cells(obj):
    ix, iy = obj.cell
    if obj.large:
        return [(ix + dx, iy + dy, z) for dx in (0, 1) for dy in (0, 1) for z in (1, 2, 3)]
    return [(ix, iy, 1), (ix, iy, 2)]


def _place_objects(rng, width, depth, count):
    combos = rng.permutation(len(COLOURS) * len(SHAPES))[:count]
    objects = []
    attempts = 0
    while len(objects) < count:
        attempts += 1
        if attempts > 1000:
            raise RuntimeError("could not place the objects")
        large = bool(rng.random() < 0.5)
        ix = int(rng.integers(2, width - 3))
        iy = int(rng.integers(2, depth - 3))
        extent = 2 if large else 1
        centre = np.array([(ix + extent / 2) * VOXEL, (iy + extent / 2) * VOXEL])
        if any(np.abs(centre - o.centre).max() < 0.8 for o in objects):
            continue
        combo = int(combos[len(objects)])
        objects.append(SceneObject(colour=combo // len(SHAPES), shape=combo % len(SHAPES), large=large,
                                   cell=(ix, iy), centre=centre))
    return objects


def make_scene(rng, min_tokens, max_tokens, min_objects=3, max_objects=6):
    """A room with min_objects..max_objects objects and min_tokens..max_tokens tokens in all."""
    width = int(rng.integers(18, 32))
    depth = int(rng.integers(18, 32))
    objects = _place_objects(rng, width, depth, int(rng.integers(min_objects, max_objects + 1)))
    cells, owner = [], []
    for i, obj in enumerate(objects):
        for c in _object_cells(obj):
            cells.append(c)
            owner.append(i)
    taken = set(cells)
    target = int(rng.integers(min_tokens, max_tokens + 1))
    wanted = max(0, target - len(cells))
    # Background: floor and wall voxels, a random subset as a scan's views would cover, plus clutter.
    floor = [(x, y, 0) for x in range(width) for y in range(depth)]
    walls = ([(x, y, z) for x in (0, width - 1) for y in range(depth) for z in range(1, ROOM_HEIGHT_CELLS)]
             + [(x, y, z) for y in (0, depth - 1) for x in range(1, width - 1) for z in range(1, ROOM_HEIGHT_CELLS)])
    surfaces = [c for c in floor + walls if c not in taken]
    clutter_count = min(wanted // 10, wanted)
    picked = [surfaces[i] for i in rng.choice(len(surfaces), size=min(wanted - clutter_count, len(surfaces)), replace=False)]
    chosen = set(picked) | taken
    while len(picked) < wanted:
        c = (int(rng.integers(1, width - 1)), int(rng.integers(1, depth - 1)), int(rng.integers(1, ROOM_HEIGHT_CELLS - 1)))
        if c not in chosen:
            chosen.add(c)
            picked.append(c)
    cells += picked
    owner += [-1] * len(picked)
    cells = np.array(cells, dtype=np.int64)
    owner = np.array(owner, dtype=np.int64)
    order = np.lexsort((cells[:, 2], cells[:, 1], cells[:, 0]))     # voxel key order: x, then y, then z
    cells, owner = cells[order], owner[order]
    xyz = ((cells + 0.5) * VOXEL).astype(np.float32)
    n = len(cells)
    features = np.zeros((n, MM_HIDDEN), dtype=np.float64)
    features[:, :POSITION_DIMS] = position_code(xyz)
    content = slice(POSITION_DIMS, MM_HIDDEN)
    background = owner < 0
    features[background, content] = BACKGROUND_NOISE * rng.standard_normal((int(background.sum()), MM_HIDDEN - POSITION_DIMS))
    is_floor = background & (cells[:, 2] == 0)
    is_wall = background & ((cells[:, 0] == 0) | (cells[:, 0] == width - 1) | (cells[:, 1] == 0) | (cells[:, 1] == depth - 1)) & ~is_floor
    features[is_floor, FLOOR_DIM] += CODE
    features[is_wall, WALL_DIM] += CODE
    for i, obj in enumerate(objects):
        rows = owner == i
        features[rows, content] = OBJECT_NOISE * rng.standard_normal((int(rows.sum()), MM_HIDDEN - POSITION_DIMS))
        features[rows, COLOUR_DIM + obj.colour] += CODE
        features[rows, SHAPE_DIM + obj.shape] += CODE
        features[rows, SIZE_DIM] += CODE if obj.large else -CODE
        features[rows, OBJECT_DIM] += CODE
    features = features.astype(np.float16).astype(np.float32)
    xyz = xyz.astype(np.float16).astype(np.float32)
    return Scene(width=width, depth=depth, objects=objects, features=features, xyz=xyz, owner=owner)
