"""Times a PyTorch eager prefill of a checkpoint, for `./adatoken3d bench prefill --vs-torch`.

python3 -m adatoken_oracle.bench_prefill --model DIR --tokens N --logits last|all --threads T --runs R

Runs the oracle's decoder in float32 (weights widened from their stored dtype, as the engine does), with
torch.no_grad, and prints one JSON line: {"seconds": median, "torch": version, "dtype": "float32"}.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch

from . import checkpoint as checkpoint_module
from .decoder import Decoder


def prefill_once(decoder, ids, all_logits):
    cfg = decoder.config
    x = decoder.embed(ids)
    positions = torch.arange(len(ids))
    caches = [decoder.empty_cache() for _ in range(cfg.num_layers)]
    for l in range(cfg.num_layers):
        x, _ = decoder.layer(l, x, positions, caches[l])
    return decoder.head(x if all_logits else x[-1:])[1]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m adatoken_oracle.bench_prefill", description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--tokens", type=int, required=True)
    parser.add_argument("--logits", choices=("last", "all"), default="last")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"pytorch: loading {args.model} (float32)", file=sys.stderr)
    decoder = Decoder(checkpoint_module.load(args.model), torch.float32)
    rng = np.random.default_rng(7)
    ids = [1] + list(rng.integers(3, decoder.config.vocab_size, args.tokens - 1))
    times = []
    with torch.no_grad():
        for run in range(args.runs + 1):
            began = time.perf_counter()
            prefill_once(decoder, ids, args.logits == "all")
            elapsed = time.perf_counter() - began
            print(f"pytorch: {'warm-up' if run == 0 else 'run ' + str(run)} {elapsed:.3f} s", file=sys.stderr)
            if run > 0:
                times.append(elapsed)
    print(json.dumps({"seconds": statistics.median(times), "torch": torch.__version__, "dtype": "float32"}))


if __name__ == "__main__":
    main()
