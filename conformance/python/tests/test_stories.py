"""A real trained model: stories260K (LLaMA-2 architecture, GQA, tied head) read from its Hugging
Face layout, decoded greedily from BOS, must reproduce the text that llama2.c's own test suite
expects from this model (test_all.py, `expected_stdout`, produced by llama2.c's run.c)."""
import os
import struct
import unittest

import numpy as np
import torch

from adatoken_oracle import checkpoint
from adatoken_oracle.decoder import Decoder

MODEL = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data", "stories260K")
MODEL = os.environ.get("ADATOKEN_STORIES260K", MODEL)

# From karpathy/llama2.c test_all.py: run.c's greedy output for stories260K from BOS.
LLAMA2C_EXPECTED = (
    b'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she '
    b'saw a big, red ball. She wanted to play with it, but it was too high.\nLily\'s mom said, "Lily, let\'s go to '
    b'the park." Lily was sad and didn\'t know what to do. She said, "I want to play with your ball, but I can\'t '
    b'find it."\nLily was sad and didn\'t know what to do. She said, "I\'m sorry, Lily. I didn\'t know what to '
    b'do."\nLily didn\'t want to help her mom, so she')


def read_pieces(path):
    """llama2.c tokenizer.bin: int32 max length, then per token float32 score, int32 length, bytes."""
    with open(path, "rb") as f:
        data = f.read()
    offset, pieces = 4, []
    while offset < len(data):
        _, length = struct.unpack_from("<fi", data, offset)
        pieces.append(data[offset + 8:offset + 8 + length])
        offset += 8 + length
    return pieces


def decode(pieces, ids, bos=1):
    out, previous = b"", bos
    for t in ids:
        piece = pieces[t]
        if previous == bos and piece.startswith(b" "):
            piece = piece[1:]
        if len(piece) == 6 and piece.startswith(b"<0x") and piece.endswith(b">"):
            piece = bytes([int(piece[3:5], 16)])
        out += piece
        previous = t
    return out


@unittest.skipUnless(os.path.exists(os.path.join(MODEL, "model.safetensors")), f"stories260K not found at {MODEL}")
class Stories260KTest(unittest.TestCase):
    def test_greedy_text_from_bos_matches_llama2c(self):
        ckpt = checkpoint.load(MODEL)
        self.assertEqual((ckpt.config.num_heads, ckpt.config.num_kv_heads, ckpt.config.tie_word_embeddings), (8, 4, True))
        decoder = Decoder(ckpt, torch.float64)
        greedy = decoder.greedy(decoder.prefill(np.array([1])), 199)
        text = decode(read_pieces(os.path.join(MODEL, "tokenizer.bin")), greedy.ids)
        self.assertGreater(len(text), 450)
        self.assertEqual(text, LLAMA2C_EXPECTED[:len(text)])


if __name__ == "__main__":
    unittest.main()
