"""The forward interface's request: `input_ids` (+ optional `spatial_embeds`) and the string
metadata of IN.safetensors, parsed and checked against the model. FORMAT.md lists the keys."""
from dataclasses import dataclass

import numpy as np

from . import safetensors_file
from .decoder import SpatialBlock
from .gating import PrunePolicy, parse_policy

KEYS = ("spatial_start", "spatial_count", "prune", "prune_layer", "min_keep", "max_keep", "query", "generate")
# Keys other writers put in __metadata__ and that carry no request.
_IGNORED_KEYS = ("format",)
DEFAULT_PRUNE_LAYER = 2
MAX_GENERATE = 4096


class RequestError(ValueError):
    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")


@dataclass
class ForwardRequest:
    input_ids: np.ndarray     # int64 [n]
    spatial: SpatialBlock = None
    policy: PrunePolicy = None
    query: str = "last"
    generate: int = 0


def _integer(path, meta, key, default, low):
    if key not in meta:
        return default
    text = meta[key].strip()
    if not (text.isdigit() or (text.startswith("-") and text[1:].isdigit())):
        raise RequestError(path, f"{key}={meta[key]!r} is not an integer")
    value = int(text)
    if value < low:
        raise RequestError(path, f"{key}={value} must be at least {low}")
    return value


def read(path, config):
    """Reads IN.safetensors and validates it against `config` (a DecoderConfig)."""
    st = safetensors_file.read(path)
    meta = st.metadata
    unknown = sorted(set(meta) - set(KEYS) - set(_IGNORED_KEYS))
    if unknown:
        raise RequestError(path, f"unknown request keys {unknown}; known: {list(KEYS)}")
    unexpected = sorted(set(st.tensors) - {"input_ids", "spatial_embeds"})
    if unexpected:
        raise RequestError(path, f"unexpected tensors {unexpected}; expected input_ids and optionally spatial_embeds")
    if "input_ids" not in st.tensors:
        raise RequestError(path, "missing tensor input_ids")
    if st.dtypes["input_ids"] not in ("I64", "I32") or st.tensors["input_ids"].ndim != 1:
        raise RequestError(path, f"input_ids must be I64 or I32 of rank 1, got {st.dtypes['input_ids']} "
                                 f"{list(st.tensors['input_ids'].shape)}")
    ids = st.tensors["input_ids"].astype(np.int64)
    n = len(ids)
    if n == 0:
        raise RequestError(path, "input_ids is empty")
    if ids.min() < 0 or ids.max() >= config.vocab_size:
        raise RequestError(path, f"input_ids must lie in [0, {config.vocab_size}), found {ids.min()}..{ids.max()}")

    spatial = None
    if ("spatial_start" in meta) != ("spatial_count" in meta):
        raise RequestError(path, "give both spatial_start and spatial_count, or neither")
    if "spatial_start" in meta:
        s = _integer(path, meta, "spatial_start", 0, 0)
        count = _integer(path, meta, "spatial_count", 0, 1)
        if s + count >= n:
            raise RequestError(path, f"spatial block [{s}, {s + count}) must end before the last prompt token "
                                     f"(n = {n}): at least one text token follows the block")
        spatial = SpatialBlock(s, count)
    if "spatial_embeds" in st.tensors:
        embeds = st.tensors["spatial_embeds"]
        if spatial is None:
            raise RequestError(path, "spatial_embeds given without spatial_start/spatial_count")
        if st.dtypes["spatial_embeds"] != "F32" or list(embeds.shape) != [spatial.count, config.hidden_size]:
            raise RequestError(path, f"spatial_embeds must be F32 [{spatial.count}, {config.hidden_size}], "
                                     f"got {st.dtypes['spatial_embeds']} {list(embeds.shape)}")
        spatial.embeds = embeds

    query = meta.get("query", "last").strip()
    if query not in ("last", "instruction"):
        raise RequestError(path, f"query must be 'last' or 'instruction', got {query!r}")

    try:
        parsed = parse_policy(meta.get("prune", "none"))
    except ValueError as e:
        raise RequestError(path, str(e)) from None
    policy = None
    if parsed is not None:
        if spatial is None:
            raise RequestError(path, f"prune={meta['prune']} needs a spatial block (spatial_start, spatial_count)")
        layer = _integer(path, meta, "prune_layer", DEFAULT_PRUNE_LAYER, 1)
        if layer > config.num_layers:
            raise RequestError(path, f"prune_layer={layer} exceeds the model's {config.num_layers} layers")
        min_keep = _integer(path, meta, "min_keep", 1, 0)
        max_keep = _integer(path, meta, "max_keep", None, 0)
        if max_keep is not None and max_keep < min_keep:
            raise RequestError(path, f"max_keep={max_keep} is below min_keep={min_keep}")
        policy = PrunePolicy(kind=parsed[0], value=parsed[1], text=parsed[2], layer=layer,
                             min_keep=min_keep, max_keep=max_keep)

    generate = _integer(path, meta, "generate", 0, 0)
    if generate > MAX_GENERATE:
        raise RequestError(path, f"generate={generate} exceeds {MAX_GENERATE}")
    return ForwardRequest(input_ids=ids, spatial=spatial, policy=policy, query=query, generate=generate)
