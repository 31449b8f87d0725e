package org.adatoken3d.pruning;

import java.util.Arrays;

/**
 * The attention a_i that the spatial tokens received at one layer (DESIGN.md §2.1): the softmax probability
 * from each query row in Q to spatial token i, averaged over heads and over Q. Not normalised: its sum is the
 * spatial share S, how much the queries look at the scene at all.
 *
 * <p>Indices are relative to the spatial block: index 0 is the first spatial token of the prompt.
 */
public record Contribution(float[] attention) {

    public Contribution {
        if (attention == null) throw new IllegalArgumentException("contribution: attention array is null");
        attention = attention.clone();
        for (int i = 0; i < attention.length; i++) {
            float a = attention[i];
            // Softmax probabilities are finite and never negative; anything else is a bug upstream, not noise.
            if (!(a >= 0f) || Float.isInfinite(a)) {
                throw new IllegalArgumentException("contribution: attention to spatial token " + i
                        + " is " + a + "; softmax probabilities must be finite and >= 0");
            }
            if (a == 0f) attention[i] = 0f; // -0 would sort below +0 and break the lower-index tie rule
        }
    }

    /** Wraps {@code attention} (copied). */
    public static Contribution of(float[] attention) {
        return new Contribution(attention);
    }

    /** The number of spatial tokens N. */
    public int size() {
        return attention.length;
    }

    /** Attention to spatial token {@code i}. */
    public float attention(int i) {
        return attention[i];
    }

    /** A copy of a (records hand out their array component; this one is defensive). */
    @Override
    public float[] attention() {
        return attention.clone();
    }

    /** S = Σ a_i, summed in double. */
    public double spatialShare() {
        double s = 0;
        for (float a : attention) s += a;
        return s;
    }

    /**
     * c = a / Σa. When the queries give the scene no attention at all (Σa = 0) no token is preferred, so the
     * contribution is uniform, 1/N each: a gate then keeps tokens by index order, and the redundancy is the
     * plain fraction of tokens that fit under τ. An empty block gives an empty array.
     */
    public double[] normalized() {
        int n = attention.length;
        double[] c = new double[n];
        if (n == 0) return c;
        double s = spatialShare();
        if (s == 0) {
            Arrays.fill(c, 1.0 / n);
            return c;
        }
        for (int i = 0; i < n; i++) c[i] = attention[i] / s;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contribution other && Arrays.equals(attention, other.attention);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(attention);
    }

    @Override
    public String toString() {
        return "Contribution[N=" + attention.length + ", S=" + spatialShare() + "]";
    }
}
