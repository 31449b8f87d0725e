#!/usr/bin/python3
"""OpenBLAS side of `./adatoken3d bench kernels`: sgemm and sgemv at the same shapes, timed the same way.

C[M x N] = A[M x K] . W^T with W stored [N x K] row-major (numpy passes W.T to sgemm as a transposed operand,
no copy), and y = W . x for GEMV. Prints one JSON document on stdout, progress on stderr.

With --serve it times one sgemm per request instead, so that the engine's GEMM and OpenBLAS's alternate within
the same rounds: it prints a JSON line about OpenBLAS, then answers each stdin line "sgemm M N K" with the
seconds of one call (the first call of a shape is a warm-up, not timed) until stdin closes.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE pin OpenBLAS to older kernels; they are removed (the script re-executes
itself without them before numpy loads OpenBLAS) so that it picks its best kernel for this CPU, and the kernel
it used is reported from openblas_get_corename()/openblas_get_config().
"""
import argparse
import ctypes
import json
import os
import sys
import time

PINNING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def clean_environment(threads):
    if any(v in os.environ for v in PINNING) or os.environ.get("OPENBLAS_NUM_THREADS") != str(threads):
        env = {k: v for k, v in os.environ.items() if k not in PINNING}
        env["OPENBLAS_NUM_THREADS"] = str(threads)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def openblas_info():
    """Which OpenBLAS numpy loaded, and the core type and build it reports."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "openblas" in path:
                libs.add(path)
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {"library": path, "corename": lib.openblas_get_corename().decode(),
                    "config": lib.openblas_get_config().decode(), "threads": lib.openblas_get_num_threads()}
        except (OSError, AttributeError):
            continue
    return {"library": None, "corename": "unknown", "config": "OpenBLAS not found in this process", "threads": None}


def timed(work, warmups, repeats):
    for _ in range(warmups):
        work()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        work()
        samples.append(time.perf_counter() - t)
    ordered = sorted(samples)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return median, samples


def serve(np):
    """Answers "sgemm M N K" lines with the seconds of one timed call, until stdin closes."""
    rng = np.random.default_rng(1)
    print(json.dumps({"openblas": openblas_info(), "numpy": np.__version__}), flush=True)
    shape, operands = None, None
    for line in sys.stdin:
        words = line.split()
        if len(words) != 4 or words[0] != "sgemm":
            print(json.dumps({"error": "expected 'sgemm M N K', got " + line.strip()[:80]}), flush=True)
            continue
        m, n, k = (int(w) for w in words[1:])
        if shape != (m, n, k):
            shape = (m, n, k)
            operands = (rng.random((m, k), dtype=np.float32) - 0.5, rng.random((n, k), dtype=np.float32) - 0.5,
                        np.empty((m, n), dtype=np.float32))
            np.matmul(operands[0], operands[1].T, out=operands[2])
        a, w, c = operands
        t = time.perf_counter()
        np.matmul(a, w.T, out=c)
        seconds = time.perf_counter() - t
        # OpenBLAS's threads spin for a while after a call; the engine's next run must not find them on its cores.
        time.sleep(0.3)
        print(json.dumps({"seconds": seconds}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--m", type=int, default=1470)
    parser.add_argument("--gemm", default="4096x4096,11008x4096,4096x11008", help="NxK shapes of W for sgemm")
    parser.add_argument("--gemv", default="4096x4096,11008x4096", help="NxK shapes of W for sgemv")
    parser.add_argument("--warmups", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--working-set-mib", type=int, default=256,
                        help="sgemv cycles over copies of W spanning this much memory, so W comes from DRAM")
    parser.add_argument("--serve", action="store_true", help="time one sgemm per stdin request (see above)")
    args = parser.parse_args()
    clean_environment(args.threads)

    import numpy as np
    if args.serve:
        serve(np)
        return
    rng = np.random.default_rng(1)
    result = {"openblas": openblas_info(), "numpy": np.__version__, "sgemm": [], "sgemv": []}
    for shape in filter(None, args.gemm.split(",")):
        n, k = (int(s) for s in shape.split("x"))
        print(f"openblas: sgemm {args.m} x {n} x {k}", file=sys.stderr, flush=True)
        a = rng.random((args.m, k), dtype=np.float32) - 0.5
        w = rng.random((n, k), dtype=np.float32) - 0.5
        c = np.empty((args.m, n), dtype=np.float32)
        median, samples = timed(lambda: np.matmul(a, w.T, out=c), args.warmups, args.repeats)
        result["sgemm"].append({"m": args.m, "n": n, "k": k, "seconds": median, "samples": samples,
                                "gflops": 2.0 * args.m * n * k / median / 1e9})
    for shape in filter(None, args.gemv.split(",")):
        n, k = (int(s) for s in shape.split("x"))
        print(f"openblas: sgemv {n} x {k}", file=sys.stderr, flush=True)
        nbytes = n * k * 4
        copies = [rng.random((n, k), dtype=np.float32) - 0.5
                  for _ in range(max(1, -(-args.working_set_mib * 2**20 // nbytes)))]
        x = rng.random(k, dtype=np.float32) - 0.5
        y = np.empty(n, dtype=np.float32)
        passes = len(copies) * 4

        def run():
            for i in range(passes):
                np.matmul(copies[i % len(copies)], x, out=y)

        median, samples = timed(run, args.warmups, args.repeats)
        result["sgemv"].append({"n": n, "k": k, "bytes": nbytes, "seconds": median / passes,
                                "samples": [s / passes for s in samples], "gbps": nbytes / (median / passes) / 1e9})
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
