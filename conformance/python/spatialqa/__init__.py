"""A tiny spatial question-answering task for LLaVA-3D-shaped models: synthetic rooms turned into spatial
tokens, questions with short answers, a SentencePiece tokenizer, and the training and evaluation scripts of
the checkpoint in conformance/spatialqa/model. README.md describes the task and the file formats."""
