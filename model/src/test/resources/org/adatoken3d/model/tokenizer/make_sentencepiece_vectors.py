#!/usr/bin/python3
"""Writes the SentencePiece reference vectors the tokenizer tests compare against.

The expected ids and texts come from the real SentencePiece library (Debian's python3-sentencepiece, 0.1.97 when
these files were made), never from the Java code under test. Run from this folder:

    /usr/bin/python3 make_sentencepiece_vectors.py ../../../../../../../../../shared/data

Writes
  llama2-sentencepiece-vectors.jsonl   LLaMA-2 tokenizer.model: seeded random texts -> ids (no BOS), and
                                       seeded random id sequences -> decoded text
  stories260k-sentencepiece-vectors.jsonl  the same for stories260K's llama2.c tokenizer.bin, which is first
                                       turned back into the SentencePiece BPE model it was exported from
                                       (spaces back to U+2581; ids 0/1/2 unknown/control; 3..258 byte pieces)
Each line is {"text": ..., "ids": [...]} (an encoding) or {"ids": [...], "decoded": ...} (a decoding).
"""
import json
import os
import random
import struct
import sys
import tempfile

import sentencepiece as spm

WORDS = ("the a an of to in is was it on that with as for his her they at be this from I have or by one had not "
         "but what all were when we there can said which do their if will up other about out many then them these so "
         "Once upon time little girl named Lily She loved play outside sun Tim dog happy ball tree big "
         "chair table lamp sofa window bed kitchen room door where is what color how many left right behind").split()
UNICODE = ["é", "ü", "ß", "ñ", "Ø", "中", "文", "日本", "語", "한국어", "ки", "Привет", "γειά", "ا", "ह", "ไทย",
           "🙂", "🚀", "👍🏽", "👨‍👩‍👧", "€", "™", "\u0301", "\u200b", "\ufeff", "\U0001F9E0", "\u2581", "\u00a0", "\u3000"]
PUNCT = list(".,;:!?'\"()[]{}<>-_/\\|@#$%^&*+=~`")
SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", " \n", "\r\n", "    "]


def random_text(rnd, max_len):
    parts = []
    while sum(len(p) for p in parts) < max_len:
        r = rnd.random()
        if r < 0.45:
            w = rnd.choice(WORDS)
            parts.append(w.capitalize() if rnd.random() < 0.15 else w)
        elif r < 0.62:
            parts.append(" ")
        elif r < 0.72:
            parts.append(rnd.choice(SPACES))
        elif r < 0.82:
            parts.append(rnd.choice(PUNCT))
        elif r < 0.90:
            parts.append(str(rnd.randrange(0, 100000)))
        else:
            parts.append(rnd.choice(UNICODE))
    return "".join(parts)[:max_len] if rnd.random() < 0.5 else "".join(parts)


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire, payload):
    return varint(number << 3 | wire) + payload


def length_delimited(number, data):
    return field(number, 2, varint(len(data)) + data)


def model_from_llama2c(path):
    """A SentencePiece ModelProto equivalent to a llama2.c tokenizer.bin."""
    data = open(path, "rb").read()
    pos = 4
    pieces = []
    while pos < len(data):
        score, length = struct.unpack_from("<fi", data, pos)
        pos += 8
        pieces.append((data[pos:pos + length], score))
        pos += length
    proto = bytearray()
    for i, (raw, score) in enumerate(pieces):
        if i == 0:
            text, kind = b"<unk>", 2
        elif i == 1:
            text, kind = b"<s>", 3
        elif i == 2:
            text, kind = b"</s>", 3
        elif i < 259:
            text, kind = raw, 6
        else:
            text, kind = raw.decode("utf-8").replace(" ", "\u2581").encode("utf-8"), 1
        piece = length_delimited(1, text) + field(2, 5, struct.pack("<f", score)) + field(3, 0, varint(kind))
        proto += length_delimited(1, piece)
    trainer = field(3, 0, varint(2)) + field(35, 0, varint(1))
    normalizer = length_delimited(1, b"identity") + field(3, 0, varint(1)) + field(4, 0, varint(0))
    proto += length_delimited(2, trainer) + length_delimited(3, normalizer)
    return bytes(proto)


def write_vectors(sp, out_path, seed, encodings, decodings, long_texts, extra_texts):
    rnd = random.Random(seed)
    with open(out_path, "w", encoding="utf-8") as out:
        texts = list(extra_texts)
        texts += [random_text(rnd, rnd.choice([1, 2, 5, 10, 30, 80, 200])) for _ in range(encodings)]
        texts += [random_text(rnd, 6000) for _ in range(long_texts)]
        for text in texts:
            out.write(json.dumps({"text": text, "ids": sp.encode(text)}, ensure_ascii=False) + "\n")
        n = sp.get_piece_size()
        for _ in range(decodings):
            ids = [rnd.randrange(0, n) for _ in range(rnd.randrange(0, 12))]
            if rnd.random() < 0.5:
                ids = [1] + ids
            out.write(json.dumps({"ids": ids, "decoded": sp.decode(ids)}, ensure_ascii=False) + "\n")


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../../../../../../shared/data"
    here = os.path.dirname(os.path.abspath(__file__))
    llava = ("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, "
             "detailed, and polite answers to the human's questions. USER: ")
    extra = [llava, "\nWhat is on the table? ASSISTANT:", "", " ", "Hello world", "Hello\u2581world", "  a  b  "]
    llama = spm.SentencePieceProcessor(model_file=os.path.join(shared, "llama2-tokenizer/tokenizer.model"))
    write_vectors(llama, os.path.join(here, "llama2-sentencepiece-vectors.jsonl"), 1, 400, 200, 3, extra)
    with tempfile.NamedTemporaryFile(suffix=".model") as f:
        f.write(model_from_llama2c(os.path.join(shared, "stories260K/tokenizer.bin")))
        f.flush()
        stories = spm.SentencePieceProcessor(model_file=f.name)
        write_vectors(stories, os.path.join(here, "stories260k-sentencepiece-vectors.jsonl"), 2, 300, 100, 2, extra)


if __name__ == "__main__":
    main()
