package org.adatoken3d.kernels;

import java.util.Arrays;

/**
 * A request to {@link Attention#compute} for the contribution signal of DESIGN.md §2.1: for each key in
 * {@code [keyStart, keyStart + keyCount)}, the softmax attention probability it receives, averaged over all heads
 * and over the listed query rows ({@code a_i}, not normalised). The attention kernel fills it from its own
 * scores while it runs; no n×n matrix is ever formed.
 */
public final class ContributionProbe {
    private final int[] queryRows;
    private final int keyStart;
    private final int keyCount;
    private final float[] contribution;
    /** Per head and query row, the probabilities of the probed keys: {@code [heads][queryRows][keyCount]}. */
    float[] probabilities = new float[0];

    /** @param queryRows distinct row indices into the {@code q} given to {@link Attention#compute} */
    public ContributionProbe(int[] queryRows, int keyStart, int keyCount) {
        if (keyStart < 0 || keyCount < 0) {
            throw new IllegalArgumentException("probe key range [" + keyStart + ", " + ((long) keyStart + keyCount) + ") is negative");
        }
        this.queryRows = queryRows.clone();
        int[] sorted = this.queryRows.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0) throw new IllegalArgumentException("probe query row " + sorted[i] + " is negative");
            if (i > 0 && sorted[i] == sorted[i - 1]) throw new IllegalArgumentException("probe query row " + sorted[i] + " is listed twice");
        }
        this.keyStart = keyStart;
        this.keyCount = keyCount;
        this.contribution = new float[keyCount];
    }

    public int[] queryRows() {
        return queryRows.clone();
    }

    public int keyStart() {
        return keyStart;
    }

    public int keyCount() {
        return keyCount;
    }

    /**
     * After {@link Attention#compute}: {@code contribution()[i]} is the mean over heads and listed query rows of
     * the probability that key {@code keyStart + i} receives (0 where causally invisible). The array is this
     * probe's own and is overwritten by the next compute that uses the probe.
     */
    public float[] contribution() {
        return contribution;
    }

    int[] rows() {
        return queryRows;
    }

    float[] contributionArray() {
        return contribution;
    }
}
