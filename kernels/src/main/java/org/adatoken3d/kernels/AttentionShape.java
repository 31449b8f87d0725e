package org.adatoken3d.kernels;

/** Head layout of an attention layer: {@code heads} query heads share {@code kvHeads} key/value heads (GQA). */
public record AttentionShape(int heads, int kvHeads, int headDim) {
    public AttentionShape {
        if (heads < 1 || kvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention shape needs positive sizes, got heads=" + heads + " kvHeads=" + kvHeads + " headDim=" + headDim);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("query heads (" + heads + ") must be a multiple of key/value heads (" + kvHeads + ")");
        }
    }

    /** Query heads per key/value head. */
    public int group() {
        return heads / kvHeads;
    }

    /** Width of a row of queries or outputs: {@code heads · headDim}. */
    public int width() {
        return heads * headDim;
    }
}
