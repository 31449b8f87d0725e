package org.adatoken3d.pruning;

import java.util.Arrays;

/**
 * The redundancy statistic R(τ) of DESIGN.md §2.1: the largest fraction of spatial tokens whose summed
 * contribution is at most τ. Taking the least contributing tokens first gives the largest such set, so the
 * statistic is a sort and a running sum. The paper's "over 60% of spatial tokens contribute under 5%" reads as
 * R(0.05) &gt; 0.6.
 */
public final class Redundancy {
    private Redundancy() {}

    /** R(τ) for normalised contributions {@code c}; 0 for an empty block (there is nothing to call redundant). */
    public static double fraction(double[] c, double tau) {
        return c.length == 0 ? 0.0 : (double) count(c, tau) / c.length;
    }

    /**
     * The number of tokens behind {@link #fraction}: the largest k such that the k smallest contributions sum
     * to at most τ. The running sum goes from the smallest contribution up, the same order in which
     * {@link GatePolicy.AdaptiveGate} drops tokens, so the two always agree on the count.
     */
    public static int count(double[] c, double tau) {
        if (!(tau >= 0)) throw new IllegalArgumentException("redundancy: tau must be >= 0, got " + tau);
        double[] sorted = c.clone();
        Arrays.sort(sorted);
        double sum = 0;
        int k = 0;
        while (k < sorted.length && sum + sorted[k] <= tau) {
            sum += sorted[k];
            k++;
        }
        return k;
    }

    /** R(τ) for each τ in {@code taus}: one curve per layer in reports. */
    public static double[] curve(double[] c, double[] taus) {
        double[] r = new double[taus.length];
        for (int i = 0; i < taus.length; i++) r[i] = fraction(c, taus[i]);
        return r;
    }
}
