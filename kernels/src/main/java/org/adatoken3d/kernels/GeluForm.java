package org.adatoken3d.kernels;

/** The GELU variants checkpoints ask for. */
public enum GeluForm {
    /** Exact: {@code x · Φ(x) = 0.5·x·(1 + erf(x/√2))} ("gelu"). */
    ERF,
    /** {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} ("gelu_new", "gelu_pytorch_tanh"). */
    TANH,
    /** {@code x · sigmoid(1.702·x)} ("quick_gelu", CLIP). */
    QUICK
}
