package org.adatoken3d.kernels;

/** How a weight matrix stores its values. */
public enum WeightFormat {
    /** IEEE binary32, as checkpoints store it. */
    F32(4),
    /** IEEE binary16. */
    F16(2),
    /** bfloat16: the top half of a binary32 (LLaMA-family checkpoints). */
    BF16(2),
    /**
     * Blocks of 32 signed bytes with one f32 scale per block, produced at load time by
     * {@link WeightMatrix#toQ8_0()}; never read from a checkpoint.
     */
    Q8_0(0),
    /**
     * Blocks of 32 four-bit codes with one bfloat16 scale per block ({@link Q4Weights}), made by
     * {@link WeightMatrix#toQ4_0()} or mapped from a file's codes and scales tensors with {@link Q4Weights#of}.
     */
    Q4_0(0);

    private final int elementBytes;

    WeightFormat(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes per element of a single checkpoint tensor; 0 for the block formats, which are not stored as one. */
    int elementBytes() {
        return elementBytes;
    }
}
