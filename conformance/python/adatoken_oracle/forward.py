"""The forward interface: python3 -m adatoken_oracle.forward --model DIR --input IN --output OUT.

Same contract as `./adatoken3d forward`; FORMAT.md specifies the tensors and metadata."""
import argparse
import sys

import numpy as np
import torch

from . import checkpoint as checkpoint_module
from . import request as request_module
from . import safetensors_file
from .decoder import Decoder

PRECISIONS = {"float64": torch.float64, "float32": torch.float32}


def run(decoder, request):
    """Computes the outputs for `request`: name -> numpy array in its stored dtype."""
    prefill = decoder.prefill(request.input_ids, request.spatial, request.query, request.policy)
    out = {
        "logits": prefill.logits.to(torch.float32).numpy(),
        "hidden_states": prefill.hidden.to(torch.float32).numpy(),
        "positions": prefill.rows.astype(np.int64),
    }
    if request.spatial is not None:
        out["contribution"] = prefill.contribution.astype(np.float32)
        out["spatial_share"] = prefill.spatial_share.astype(np.float32)
    if request.policy is not None:
        out["kept"] = (request.spatial.start + prefill.gate.kept).astype(np.int64)
        out["gate_margin"] = np.array([prefill.gate.margin], dtype=np.float32)
    if request.generate > 0:
        greedy = decoder.greedy(prefill, request.generate)
        out["greedy_ids"] = np.array(greedy.ids, dtype=np.int64)
        out["greedy_margin"] = np.array(greedy.margins, dtype=np.float32)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m adatoken_oracle.forward", description=__doc__)
    parser.add_argument("--model", required=True, help="Hugging Face model folder")
    parser.add_argument("--input", required=True, help="IN.safetensors (input_ids, request metadata)")
    parser.add_argument("--output", required=True, help="OUT.safetensors to write")
    parser.add_argument("--dtype", choices=sorted(PRECISIONS), default="float64",
                        help="compute precision (default float64: the oracle should be closer to the truth than the engine)")
    args = parser.parse_args(argv)
    try:
        ckpt = checkpoint_module.load(args.model)
        request = request_module.read(args.input, ckpt.config)
    except (ValueError, OSError) as e:
        print(f"forward: {e}", file=sys.stderr)
        return 2
    outputs = run(Decoder(ckpt, PRECISIONS[args.dtype]), request)
    safetensors_file.write(args.output, outputs, {"oracle": "adatoken_oracle", "precision": args.dtype,
                                                  "torch": torch.__version__})
    return 0


if __name__ == "__main__":
    sys.exit(main())
