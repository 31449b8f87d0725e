"""The fixture generator and the forward CLI: fixtures are deterministic per seed, the CLI
reproduces expected.safetensors bit for bit, and bad requests get one clear error."""
import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from adatoken_oracle import forward, generate, safetensors_file

PYTHONPATH = os.path.join(os.path.dirname(__file__), "..")


def run_module(*args):
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    return subprocess.run([sys.executable, "-m", *args], env=env, capture_output=True, text=True)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def forward_in_process(*args):
    """(exit code, stderr) of the forward CLI run in this process (saves a torch start-up per call)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = forward.main(list(args))
    return code, err.getvalue()


def digest(folder):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            with open(os.path.join(root, name), "rb") as f:
                h.update(name.encode() + f.read())
    return h.hexdigest()


class FixturesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "fx")
        with contextlib.redirect_stderr(io.StringIO()):
            generate.main(["--seed", "3", "--count", "12", "--max-seq", "60", "--out", cls.out])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_each_case_folder_holds_model_inputs_expected_and_case_json(self):
        cases = sorted(os.listdir(self.out))
        self.assertEqual(cases, [f"case-{i:04d}" for i in range(12)])
        for case in cases:
            folder = os.path.join(self.out, case)
            self.assertEqual(sorted(os.listdir(folder)), ["case.json", "expected.safetensors", "inputs.safetensors", "model"])
            meta = read_json(os.path.join(folder, "case.json"))
            expected = safetensors_file.read(os.path.join(folder, "expected.safetensors"))
            self.assertEqual({k: v["shape"] for k, v in meta["outputs"].items()},
                             {k: list(v.shape) for k, v in expected.tensors.items()})
            self.assertEqual(expected.tensors["logits"].shape[1], meta["config"]["vocab_size"])
            self.assertTrue(np.all(np.isfinite(expected.tensors["logits"])))

    def test_a_single_case_regenerates_identically_from_its_replay_command(self):
        again = os.path.join(self.tmp.name, "again")
        with contextlib.redirect_stderr(io.StringIO()):
            generate.main(["--seed", "3", "--start", "7", "--count", "1", "--max-seq", "60", "--out", again])
        self.assertEqual(digest(os.path.join(again, "case-0007")), digest(os.path.join(self.out, "case-0007")))

    def test_forward_cli_reproduces_expected_outputs_exactly(self):
        for case in ("case-0000", "case-0001", "case-0002", "case-0003"):
            with self.subTest(case=case):
                folder = os.path.join(self.out, case)
                result = os.path.join(self.tmp.name, case + ".out.safetensors")
                args = ("--model", os.path.join(folder, "model"),
                        "--input", os.path.join(folder, "inputs.safetensors"), "--output", result)
                if case == "case-0000":       # once through the real command line
                    done = run_module("adatoken_oracle.forward", *args)
                    self.assertEqual(done.returncode, 0, done.stderr)
                else:
                    self.assertEqual(forward_in_process(*args)[0], 0)
                got = safetensors_file.read(result).tensors
                want = safetensors_file.read(os.path.join(folder, "expected.safetensors")).tensors
                self.assertEqual(sorted(got), sorted(want))
                for name in want:
                    np.testing.assert_array_equal(got[name], want[name], err_msg=name)

    def test_bad_requests_get_one_clear_error_and_exit_code_2(self):
        folder = os.path.join(self.out, "case-0000")
        model = os.path.join(folder, "model")
        vocab = read_json(os.path.join(model, "config.json"))["vocab_size"]
        ids = np.array([1, 2, 3, 4], dtype=np.int64)
        bad = {
            "unknown request keys": ({"input_ids": ids}, {"prune_layr": "2"}),
            "must lie in": ({"input_ids": np.array([vocab], dtype=np.int64)}, {}),
            "needs a spatial block": ({"input_ids": ids}, {"prune": "tau=0.05"}),
            "at least one text token follows": ({"input_ids": ids}, {"spatial_start": "1", "spatial_count": "3"}),
            "not an integer": ({"input_ids": ids}, {"generate": "two"}),
            "exceeds the model": ({"input_ids": ids}, {"spatial_start": "0", "spatial_count": "2", "prune": "keep=0.5",
                                                      "prune_layer": "99"}),
            "must be F32": ({"input_ids": ids, "spatial_embeds": np.zeros((2, 1), dtype=np.float32)},
                            {"spatial_start": "0", "spatial_count": "2"}),
            "I64 or I32": ({"input_ids": ids.astype(np.float32)}, {}),
            "below min_keep": ({"input_ids": ids}, {"spatial_start": "0", "spatial_count": "2", "prune": "keep=0.5",
                                                   "prune_layer": "1", "min_keep": "2", "max_keep": "1"}),
        }
        for problem, (tensors, meta) in bad.items():
            with self.subTest(problem=problem):
                path = os.path.join(self.tmp.name, "bad.safetensors")
                safetensors_file.write(path, tensors, meta)
                code, err = forward_in_process("--model", model, "--input", path,
                                               "--output", os.path.join(self.tmp.name, "never.safetensors"))
                self.assertEqual(code, 2, err)
                self.assertIn(problem, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "never.safetensors")))


if __name__ == "__main__":
    unittest.main()
