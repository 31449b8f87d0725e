import json
import os
import struct
import tempfile
import unittest

import numpy as np
import torch

from adatoken_oracle import safetensors_file as st


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "t.safetensors")

    def tearDown(self):
        self.dir.cleanup()

    def test_round_trip_keeps_every_dtype_shape_and_metadata(self):
        rng = np.random.default_rng(1)
        tensors = {
            "f64": rng.standard_normal((2, 3)),
            "f32": rng.standard_normal((4,)).astype(np.float32),
            "f16": rng.standard_normal((3, 1)).astype(np.float16),
            "i64": np.array([-5, 7, 2**40], dtype=np.int64),
            "i32": np.array([[1, -2]], dtype=np.int32),
            "u8": np.arange(5, dtype=np.uint8),
            "scalar": np.array(3.5, dtype=np.float32),
            "empty": np.zeros((0, 4), dtype=np.float32),
        }
        st.write(self.path, tensors, {"prune": "tau=0.05", "note": "ünïcode"})
        back = st.read(self.path)
        self.assertEqual(back.metadata, {"prune": "tau=0.05", "note": "ünïcode"})
        for name, array in tensors.items():
            self.assertEqual(back.tensors[name].dtype, array.dtype, name)
            np.testing.assert_array_equal(back.tensors[name], array, name)

    def test_header_is_padded_with_spaces_to_a_multiple_of_eight(self):
        st.write(self.path, {"x": np.zeros(3, dtype=np.float32)}, {"a": "b"})
        with open(self.path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = f.read(n)
        self.assertEqual(n % 8, 0)
        self.assertEqual(json.loads(header)["x"], {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]})
        self.assertTrue(header.rstrip(b" ").endswith(b"}"))

    def test_bf16_rounding_matches_torch_round_to_nearest_even(self):
        rng = np.random.default_rng(2)
        values = np.concatenate([rng.standard_normal(10000).astype(np.float32) * 10.0 ** rng.integers(-30, 30, 10000),
                                 np.array([0.0, -0.0, np.inf, -np.inf, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8,
                                           3.3895314e38], dtype=np.float32)]).astype(np.float32)
        ours = st.f32_to_bf16(values)
        theirs = torch.from_numpy(values).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(st.bf16_to_f32(ours), torch.from_numpy(values).to(torch.bfloat16).float().numpy())

    def test_bf16_tensor_is_stored_rounded_and_read_back_widened(self):
        x = np.array([1.0, 1.00390625, 1.01171875, -2.5e-3], dtype=np.float32)
        st.write(self.path, {"w": (x, "BF16")})
        back = st.read(self.path)
        self.assertEqual(back.dtypes["w"], "BF16")
        np.testing.assert_array_equal(back.tensors["w"], torch.from_numpy(x).to(torch.bfloat16).float().numpy())

    def _bytes(self, data):
        with open(self.path, "wb") as f:
            f.write(data)

    def _raw(self, header, data=b""):
        encoded = json.dumps(header).encode()
        with open(self.path, "wb") as f:
            f.write(struct.pack("<Q", len(encoded)) + encoded + data)

    def test_bad_files_are_rejected_with_the_file_and_problem_named(self):
        cases = {
            "shorter than": lambda: self._bytes(b"abc"),
            "header length": lambda: self._bytes(struct.pack("<Q", 1 << 40) + b"{}"),
            "not valid JSON": lambda: self._bytes(struct.pack("<Q", 2) + b"{x"),
            "unsupported dtype": lambda: self._raw({"a": {"dtype": "F8", "shape": [1], "data_offsets": [0, 1]}}, b"\0"),
            "outside the data section": lambda: self._raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4),
            "needs 8 bytes": lambda: self._raw({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 8),
            "non-negative": lambda: self._raw({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}),
            "strings to strings": lambda: self._raw({"__metadata__": {"a": 1}}),
        }
        for problem, make in cases.items():
            with self.subTest(problem=problem):
                make()
                with self.assertRaises(st.SafetensorsError) as caught:
                    st.read(self.path)
                self.assertIn(problem, str(caught.exception))
                self.assertIn(self.path, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
