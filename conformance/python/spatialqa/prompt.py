"""The SentencePiece tokenizer of the task and the llava_v1 prompt around the spatial block.

The tokenizer is a BPE model with LLaMA's settings (identity normalisation, no whitespace collapsing, dummy
prefix, byte fallback, <unk>=0 <s>=1 </s>=2), trained on the system prompt and every question and answer the
generator can produce, so the engine's SentencePiece reader takes it as it takes LLaMA's.

The prompt is tokenized as LLaVA's tokenizer_image_token does (model/.../prompt/LlavaPrompt.java says how):
the text before <image> with BOS, the spatial block, then the text after <image> without its BOS.
"""
import io

import sentencepiece as spm

from adatoken_oracle.decoder import SpatialBlock

SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. "
          "The assistant gives helpful, detailed, and polite answers to the human's questions.")
VOCAB_SIZE = 512


def train_tokenizer(lines, path):
    """Trains the BPE model on `lines` and writes it to `path`; deterministic for the same lines."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type="bpe", vocab_size=VOCAB_SIZE,
        hard_vocab_limit=False, character_coverage=1.0, byte_fallback=True,
        normalization_rule_name="identity", remove_extra_whitespaces=False, add_dummy_prefix=True,
        split_digits=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1,
        minloglevel=2)
    with open(path, "wb") as f:
        f.write(model.getvalue())


def tokenizer_lines(question_lines):
    """The training text: the prompt chunks as the model will see them, then the questions and answers."""
    return [SYSTEM + " USER: ", "\n ASSISTANT:"] * 20 + [f"\n{q} ASSISTANT:" for q in question_lines] + question_lines


class PromptCodec:
    def __init__(self, tokenizer_path):
        self.sp = spm.SentencePieceProcessor(model_file=tokenizer_path)
        self.bos, self.eos = self.sp.bos_id(), self.sp.eos_id()
        self.before = [self.bos] + self.sp.encode(SYSTEM + " USER: ")

    def after(self, question):
        """The ids after the spatial block: the question and ' ASSISTANT:'."""
        return self.sp.encode("\n" + question + " ASSISTANT:")

    def with_room(self, question, embeds):
        """The oracle decoder's input for `question` about a room of projected tokens embeds [N, h]: the prompt ids
        (N placeholder ids where the spatial block goes) and the SpatialBlock that fills them."""
        n = len(embeds)
        return self.before + [0] * n + self.after(question), SpatialBlock(len(self.before), n, embeds)

    def answer(self, text):
        """The ids the model is trained to produce: the answer, then EOS."""
        return self.sp.encode(text) + [self.eos]

    def decode(self, ids):
        return self.sp.decode(list(ids))

    def vocab_size(self):
        return self.sp.get_piece_size()
