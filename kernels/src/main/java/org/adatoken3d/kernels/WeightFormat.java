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
    Q8_0(0);

    private final int elementBytes;

    WeightFormat(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes per element in a checkpoint file; 0 for formats that are never stored in one. */
    int elementBytes() {
        return elementBytes;
    }
}
