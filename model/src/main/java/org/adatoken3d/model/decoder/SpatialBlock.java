package org.adatoken3d.model.decoder;

/** The contiguous run of spatial tokens in a prompt: positions {@code start .. start+count-1}. */
public record SpatialBlock(int start, int count) {
    public SpatialBlock {
        if (start < 0 || count < 0) throw new IllegalArgumentException("spatial block [" + start + ", +" + count + ") is negative");
    }

    public int end() {
        return start + count;
    }

    /** Checks the block lies inside a prompt of {@code n} tokens. */
    public void checkWithin(int n) {
        if (end() > n) {
            throw new IllegalArgumentException("spatial block [" + start + ", " + end() + ") runs past the prompt of " + n + " tokens");
        }
    }
}
