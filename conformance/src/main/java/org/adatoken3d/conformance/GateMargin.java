package org.adatoken3d.conformance;

import java.util.Arrays;
import org.adatoken3d.pruning.GatePolicy;

/**
 * How close a keep-set decision was to flipping (conformance/FORMAT.md §6.4): the smallest of the gap at the cut and,
 * for {@code tau}, the distances of the two tail sums that would change the count. +∞ when nothing can flip it.
 */
final class GateMargin {
    private GateMargin() {}

    /** The margin of {@code gate}'s decision on normalised contributions {@code c} (those of layer K−1). */
    static double of(GatePolicy gate, double[] c) {
        int n = c.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> c[y] != c[x] ? Double.compare(c[y], c[x]) : Integer.compare(x, y));
        double[] sorted = new double[n];
        for (int i = 0; i < n; i++) sorted[i] = c[order[i]];
        int k = gate.keepSet(c).keptCount();
        double margin = Double.POSITIVE_INFINITY;
        if (gate instanceof GatePolicy.AdaptiveGate a) {
            int hi = Math.min(a.maxKeep(), n);
            int lo = Math.min(a.minKeep(), hi);
            // tail[j]: the j smallest-ranked contributions, summed from the smallest up (§6.2's accumulation order).
            double[] tail = new double[n + 1];
            for (int j = 1; j <= n; j++) tail[j] = tail[j - 1] + sorted[n - j];
            int t = 0;
            while (t < n && tail[t + 1] <= a.tau()) t++;
            if (t >= 1 && clamp(n - t + 1, lo, hi) != k) margin = Math.min(margin, Math.abs(tail[t] - a.tau()));
            if (t < n && clamp(n - t - 1, lo, hi) != k) margin = Math.min(margin, Math.abs(tail[t + 1] - a.tau()));
        }
        if (k > 0 && k < n) margin = Math.min(margin, sorted[k - 1] - sorted[k]);
        return margin;
    }

    private static int clamp(int k, int lo, int hi) {
        return Math.min(Math.max(k, lo), hi);
    }
}
