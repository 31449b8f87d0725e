"""Reads and writes the safetensors format with numpy alone (the `safetensors` package is not
available from Debian).

Layout: 8-byte little-endian header length H, H bytes of JSON (padded with spaces to a multiple of
8 when we write), then the data section. Each tensor entry holds `dtype`, `shape` and
`data_offsets` [begin, end) relative to the start of the data section; `__metadata__` is an
optional string-to-string map.

BF16 has no numpy dtype: reading widens it to float32 exactly (a BF16 value is the upper half of
an IEEE float32); writing rounds float32 to BF16 to nearest, ties to even.
"""
import json
import os
import struct

import numpy as np

_NUMPY_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}

# A header larger than this is not a real checkpoint header; refusing it keeps a lying length
# field from making us allocate an attacker-chosen size.
_MAX_HEADER_BYTES = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """A file that is not valid safetensors, with the file named in the message."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class SafetensorsFile:
    """The tensors of one file: `tensors` maps name to a numpy array (BF16 widened to float32),
    `dtypes` maps name to the stored dtype string, `metadata` is the `__metadata__` map."""

    def __init__(self, tensors, dtypes, metadata):
        self.tensors = tensors
        self.dtypes = dtypes
        self.metadata = metadata


def bf16_to_f32(bits):
    """Widens BF16 bit patterns (uint16) to float32; exact."""
    return (bits.astype(np.uint32) << np.uint32(16)).view(np.float32)


def f32_to_bf16(values):
    """Rounds float32 values to BF16 bit patterns (uint16), to nearest with ties to even; NaN stays NaN."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    rounding = ((bits >> np.uint32(16)) & np.uint32(1)) + np.uint32(0x7FFF)
    rounded = ((bits.astype(np.uint64) + rounding) >> np.uint64(16)).astype(np.uint16)
    nan = np.isnan(values)
    if np.any(nan):
        rounded = np.where(nan, np.uint16(0x7FC0), rounded)
    return rounded


def read(path):
    """Reads a whole safetensors file; raises SafetensorsError naming the file and the problem."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        if size < 8:
            raise SafetensorsError(path, f"file has {size} bytes, shorter than the 8-byte header length")
        (header_len,) = struct.unpack("<Q", f.read(8))
        if header_len > size - 8 or header_len > _MAX_HEADER_BYTES:
            raise SafetensorsError(path, f"header length {header_len} exceeds the file ({size} bytes)")
        try:
            header = json.loads(f.read(header_len).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise SafetensorsError(path, f"header is not valid JSON: {e}") from None
        data = f.read()
    if not isinstance(header, dict):
        raise SafetensorsError(path, "header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise SafetensorsError(path, "__metadata__ must map strings to strings")
    tensors, dtypes = {}, {}
    for name, entry in header.items():
        tensors[name] = _tensor(path, name, entry, data)
        dtypes[name] = entry["dtype"]
    return SafetensorsFile(tensors, dtypes, metadata)


def _tensor(path, name, entry, data):
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
        raise SafetensorsError(path, f"tensor {name}: entry needs dtype, shape and data_offsets")
    dtype_name, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype_name not in _NUMPY_DTYPES:
        raise SafetensorsError(path, f"tensor {name}: unsupported dtype {dtype_name!r}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise SafetensorsError(path, f"tensor {name}: shape {shape!r} is not a list of non-negative integers")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= len(data)):
        raise SafetensorsError(path, f"tensor {name}: data_offsets {offsets!r} outside the data section ({len(data)} bytes)")
    dtype = _NUMPY_DTYPES[dtype_name]
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if offsets[1] - offsets[0] != count * dtype.itemsize:
        raise SafetensorsError(
            path, f"tensor {name}: shape {shape} of {dtype_name} needs {count * dtype.itemsize} bytes, "
                  f"data_offsets span {offsets[1] - offsets[0]}")
    array = np.frombuffer(data, dtype=dtype, count=count, offset=offsets[0]).reshape(shape)
    if dtype_name == "BF16":
        return bf16_to_f32(array)
    return array.copy()


def write(path, tensors, metadata=None):
    """Writes `tensors` (name -> numpy array, or name -> (array, dtype string) to store float32
    values as BF16/F16) and the string map `metadata`. Tensors keep the order given."""
    entries, chunks, offset = {}, [], 0
    for name, value in tensors.items():
        array, dtype_name = value if isinstance(value, tuple) else (value, _dtype_name(value))
        raw = _encode(np.asarray(array), dtype_name)
        entries[name] = {"dtype": dtype_name, "shape": list(np.shape(array)),
                         "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(f"metadata must map str to str, got {k!r}: {v!r}")
        header["__metadata__"] = dict(metadata)
    header.update(entries)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)
    os.replace(tmp, path)


def _dtype_name(array):
    for name, dtype in _NUMPY_DTYPES.items():
        if name != "BF16" and np.asarray(array).dtype == dtype:
            return name
    raise TypeError(f"no safetensors dtype for numpy dtype {np.asarray(array).dtype}")


def _encode(array, dtype_name):
    if dtype_name not in _NUMPY_DTYPES:
        raise TypeError(f"unsupported safetensors dtype {dtype_name!r}")
    if dtype_name == "BF16":
        return f32_to_bf16(array.astype(np.float32)).astype("<u2").tobytes()
    return np.ascontiguousarray(array.astype(_NUMPY_DTYPES[dtype_name])).tobytes()
