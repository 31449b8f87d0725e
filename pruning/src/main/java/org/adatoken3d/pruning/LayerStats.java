package org.adatoken3d.pruning;

import java.util.Arrays;

/**
 * What one layer's attention said about the spatial block for one input, collected without pruning: the spatial
 * share S^l and the normalised contribution c^l (DESIGN.md §2.1).
 */
public record LayerStats(int layer, double spatialShare, double[] contribution) {

    public LayerStats {
        if (layer < 0) throw new IllegalArgumentException("layer stats: layer " + layer + " is negative");
        if (!(spatialShare >= 0) || Double.isInfinite(spatialShare)) {
            throw new IllegalArgumentException("layer stats: spatial share " + spatialShare + " at layer " + layer
                    + " must be finite and >= 0");
        }
        if (contribution == null) throw new IllegalArgumentException("layer stats: contribution is null");
        contribution = contribution.clone();
        for (int i = 0; i < contribution.length; i++) {
            double c = contribution[i];
            if (!(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("layer stats: contribution of spatial token " + i + " at layer "
                        + layer + " is " + c + "; it must be finite and >= 0");
            }
        }
    }

    /** The statistics of attention {@code a} measured at {@code layer}. */
    public static LayerStats of(int layer, Contribution a) {
        return new LayerStats(layer, a.spatialShare(), a.normalized());
    }

    @Override
    public double[] contribution() {
        return contribution.clone();
    }

    /** N, the number of spatial tokens. */
    public int size() {
        return contribution.length;
    }

    /** R^l(τ). */
    public double redundancy(double tau) {
        return Redundancy.fraction(contribution, tau);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerStats other && layer == other.layer
                && Double.compare(spatialShare, other.spatialShare) == 0
                && Arrays.equals(contribution, other.contribution);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * layer + Double.hashCode(spatialShare)) + Arrays.hashCode(contribution);
    }

    @Override
    public String toString() {
        return "LayerStats[layer=" + layer + ", S=" + spatialShare + ", N=" + contribution.length + "]";
    }
}
