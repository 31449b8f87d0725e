package org.adatoken3d.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.adatoken3d.pruning.GatePolicy.AdaptiveGate;
import org.adatoken3d.pruning.GatePolicy.FastV;
import org.adatoken3d.pruning.GatePolicy.KeepRatio;
import org.adatoken3d.pruning.GatePolicy.NoPruning;
import org.adatoken3d.pruning.GatePolicy.RandomGate;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class GatePolicyTest {

    /** Small integer weights: many ties, and sums that exact arithmetic can check. */
    private static float[] tiedWeights(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(3) == 0 ? 0f : r.nextInt(1, 20);
        if (r.nextInt(10) == 0) java.util.Arrays.fill(a, 0f);
        return a;
    }

    /**
     * DESIGN.md §2.1 read literally, in exact arithmetic: rank by c descending (ties: lower index), take the
     * shortest prefix whose sum reaches 1−τ, clamp, return ascending. Selection by repeated arg-max.
     */
    private static int[] referenceKeep(float[] a, double tau, int minKeep, int maxKeep) {
        int n = a.length;
        BigDecimal total = BigDecimal.ZERO;
        for (float x : a) total = total.add(new BigDecimal(x));
        boolean uniform = total.signum() == 0;
        BigDecimal[] w = new BigDecimal[n];
        for (int i = 0; i < n; i++) w[i] = uniform ? BigDecimal.ONE : new BigDecimal(a[i]);
        if (uniform) total = BigDecimal.valueOf(n);
        BigDecimal goal = total.multiply(BigDecimal.ONE.subtract(new BigDecimal(tau)));
        boolean[] taken = new boolean[n];
        int[] rank = new int[n];
        for (int p = 0; p < n; p++) {
            int best = -1;
            for (int i = 0; i < n; i++) if (!taken[i] && (best < 0 || w[i].compareTo(w[best]) > 0)) best = i;
            taken[best] = true;
            rank[p] = best;
        }
        int k = 0;
        BigDecimal sum = BigDecimal.ZERO;
        while (k < n && sum.compareTo(goal) < 0) sum = sum.add(w[rank[k++]]);
        k = Math.min(Math.max(k, minKeep), Math.min(maxKeep, n));
        int[] kept = java.util.Arrays.copyOf(rank, k);
        java.util.Arrays.sort(kept);
        return kept;
    }

    @Test
    void adaptiveKeepSetMatchesExactPrefixRule() {
        SeededCases.run("adaptiveKeepSetMatchesExactPrefixRule", 500, r -> {
            int n = SeededCases.between(r, 0, 60);
            float[] a = tiedWeights(r, n);
            double tau = r.nextInt(8) == 0 ? 0.0 : r.nextDouble() * 0.6;
            int min = r.nextInt(4);
            int max = r.nextBoolean() ? AdaptiveGate.UNBOUNDED : SeededCases.between(r, Math.max(1, min), 70);
            KeepSet keep = new AdaptiveGate(2, tau, min, max).keepSet(Contribution.of(a));
            assertArrayEquals(referenceKeep(a, tau, min, max), keep.kept(), "tau " + tau);
            assertEquals(n, keep.total());
        });
    }

    @Test
    void adaptiveKeepSetIsMinimalUnlessClamped() {
        SeededCases.run("adaptiveKeepSetIsMinimalUnlessClamped", 300, r -> {
            int n = SeededCases.between(r, 1, 400);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) Math.exp(3 * r.nextGaussian());
            double tau = r.nextDouble() * 0.5;
            int min = SeededCases.between(r, 0, 5);
            int max = r.nextBoolean() ? AdaptiveGate.UNBOUNDED : SeededCases.between(r, Math.max(1, min), 400);
            AdaptiveGate gate = new AdaptiveGate(3, tau, min, max);
            double[] c = Contribution.of(a).normalized();
            int[] kept = gate.keepSet(Contribution.of(a)).kept();
            boolean[] isKept = new boolean[n];
            double keptSum = 0;
            int smallest = -1;
            for (int i : kept) {
                isKept[i] = true;
                keptSum += c[i];
                if (smallest < 0 || c[i] < c[smallest]) smallest = i;
            }
            int upper = Math.min(max, n);
            if (kept.length < upper) assertTrue(keptSum >= 1 - tau - 1e-12, "kept sum " + keptSum + " below 1-tau");
            if (kept.length > min && smallest >= 0) {
                assertTrue(keptSum - c[smallest] < 1 - tau + 1e-12, "a smaller set would do");
            }
            assertTrue(kept.length >= Math.min(min, n) && kept.length <= upper, "clamps");
            // Every dropped token contributes no more than every kept one.
            for (int i = 0; i < n; i++) if (!isKept[i] && smallest >= 0) assertTrue(c[i] <= c[smallest]);
        });
    }

    @Test
    void keepSetsAreStrictlyAscendingForEveryPolicy() {
        SeededCases.run("keepSetsAreStrictlyAscendingForEveryPolicy", 200, r -> {
            int n = SeededCases.between(r, 0, 200);
            Contribution c = Contribution.of(tiedWeights(r, n));
            GatePolicy[] policies = {
                new NoPruning(), new FastV(), new AdaptiveGate(2, r.nextDouble() * 0.5),
                new KeepRatio(4, 0.01 + 0.99 * r.nextDouble()), new RandomGate(r.nextLong(), AdaptiveGate.defaults())
            };
            for (GatePolicy p : policies) {
                int[] kept = p.keepSet(c).kept();
                for (int i = 1; i < kept.length; i++) assertTrue(kept[i] > kept[i - 1], p + " not ascending");
                if (kept.length > 0) assertTrue(kept[0] >= 0 && kept[kept.length - 1] < n, p + " out of range");
            }
        });
    }

    @Test
    void tauZeroKeepsExactlyTheTokensWithPositiveContribution() {
        SeededCases.run("tauZeroKeepsExactlyTheTokensWithPositiveContribution", 200, r -> {
            int n = SeededCases.between(r, 1, 300);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble() * 1e-3f;
            a[r.nextInt(n)] = 1f;
            int[] kept = new AdaptiveGate(2, 0.0, 0, AdaptiveGate.UNBOUNDED).keepSet(Contribution.of(a)).kept();
            int expected = 0;
            for (int i = 0; i < n; i++) if (a[i] > 0) assertEquals(i, kept[expected++]);
            assertEquals(expected, kept.length);
        });
    }

    @Test
    void tiesGoToTheLowerIndex() {
        float[] a = {1, 3, 1, 3, 1, 3, 1};
        // Need 4 of 13 units at tau 0.7 (1-tau = 0.3 -> 3.9 units): one 3 is not enough, two are.
        assertArrayEquals(new int[] {1, 3}, new AdaptiveGate(2, 0.7).keepSet(Contribution.of(a)).kept());
        assertArrayEquals(new int[] {0, 1, 3, 5}, new KeepRatio(2, 4 / 7.0).keepSet(Contribution.of(a)).kept());
        assertArrayEquals(new int[] {0, 1, 2}, new KeepRatio(2, 0.3).keepSet(Contribution.of(new float[10])).kept());
    }

    @Test
    void clampsBindAtBothEnds() {
        float[] a = {0, 0, 10, 0, 0, 0};
        assertArrayEquals(new int[] {2}, new AdaptiveGate(2, 0.05, 1, 10).keepSet(Contribution.of(a)).kept());
        assertArrayEquals(new int[] {0, 1, 2}, new AdaptiveGate(2, 0.05, 3, 10).keepSet(Contribution.of(a)).kept());
        float[] flat = {1, 1, 1, 1, 1, 1};
        assertArrayEquals(new int[] {0, 1}, new AdaptiveGate(2, 0.05, 1, 2).keepSet(Contribution.of(flat)).kept());
        // Fewer tokens than min keep: the block size wins.
        assertEquals(2, new AdaptiveGate(2, 0.5, 5, 10).keepSet(Contribution.of(new float[] {1, 2})).keptCount());
        assertEquals(0, new AdaptiveGate(2, 0.5, 5, 10).keepSet(Contribution.of(new float[0])).keptCount());
    }

    @Test
    void keepRatioRoundsHalfUpAndNeverEmptiesTheScene() {
        assertEquals(3, new KeepRatio(2, 0.25).keepCount(10)); // 2.5 -> 3
        assertEquals(2, new KeepRatio(2, 0.24).keepCount(10));
        assertEquals(423, new KeepRatio(2, 0.3).keepCount(1410));
        assertEquals(2, new KeepRatio(2, 0.3).keepCount(5)); // the decimal 1.5 rounds up; 0.3 * 5 in double is 1.4999999999999998
        assertEquals(1, new KeepRatio(2, 0.001).keepCount(10));
        assertEquals(0, new KeepRatio(2, 0.5).keepCount(0));
        assertEquals(7, new KeepRatio(2, 1.0).keepCount(7));
        assertEquals(1, new KeepRatio(2, 0.0).keepCount(7), "min_keep 1 holds even at ratio 0");
        assertEquals(4, new KeepRatio(2, 0.9, 1, 4, QuerySet.LAST).keepCount(10), "clamped to max_keep");
        SeededCases.run("keepRatioCountIsNearestInteger", 300, r -> {
            int n = SeededCases.between(r, 1, 5000);
            double ratio = Math.max(1e-9, r.nextDouble());
            int k = new KeepRatio(2, ratio).keepCount(n);
            assertTrue(k >= 1 && k <= n);
            if (k > 1) assertTrue(Math.abs(k - ratio * n) <= 0.5 + 1e-9, k + " vs " + ratio * n);
        });
    }

    @Test
    void fastVIsLayerTwoHalfByLastToken() {
        FastV f = new FastV();
        assertEquals(2, f.layer());
        assertEquals(QuerySet.LAST, f.query());
        SeededCases.run("fastVKeepsTheSameTokensAsKeepRatioHalf", 50, r -> {
            Contribution c = Contribution.of(tiedWeights(r, SeededCases.between(r, 0, 100)));
            assertEquals(new KeepRatio(2, 0.5).keepSet(c), f.keepSet(c));
        });
    }

    @Test
    void randomGateKeepsTheBudgetsCountRepeatably() {
        SeededCases.run("randomGateKeepsTheBudgetsCountRepeatably", 200, r -> {
            int n = SeededCases.between(r, 0, 300);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) Math.exp(3 * r.nextGaussian());
            Contribution c = Contribution.of(a);
            AdaptiveGate budget = new AdaptiveGate(2, r.nextDouble() * 0.4);
            long seed = r.nextLong();
            KeepSet random = new RandomGate(seed, budget).keepSet(c);
            assertEquals(budget.keepSet(c).keptCount(), random.keptCount());
            assertEquals(random, new RandomGate(seed, budget).keepSet(c));
            assertEquals(2, new RandomGate(seed, budget).layer());
        });
    }

    @Test
    void randomGateIsRoughlyUniform() {
        int n = 20;
        int[] hits = new int[n];
        Contribution c = Contribution.of(new float[] {50, 40, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        KeepRatio budget = new KeepRatio(2, 0.25);
        int trials = 4000;
        for (int t = 0; t < trials; t++) for (int i : new RandomGate(t, budget).keepSet(c).kept()) hits[i]++;
        // Each token is kept with probability 5/20; 4000 trials give 1000 +- 27 (one sigma).
        for (int h : hits) assertTrue(Math.abs(h - 1000) < 150, "hit count " + h);
        assertNotEquals(new RandomGate(1, budget).keepSet(c), new RandomGate(2, budget).keepSet(c));
    }

    @Test
    void noPruningKeepsEverythingAndNeverGates() {
        NoPruning none = new NoPruning();
        assertFalse(none.gates());
        assertEquals(GatePolicy.NEVER, none.layer());
        assertEquals(KeepSet.all(5), none.keepSet(Contribution.of(new float[] {0, 1, 0, 2, 0})));
        none.checkLayers(1);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(2, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(2, -0.01));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(2, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(2, 0.05, 5, 4));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(2, 0.05, -1, 4));
        assertThrows(IllegalArgumentException.class, () -> new KeepRatio(2, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new KeepRatio(2, 1.01));
        assertThrows(IllegalArgumentException.class, () -> new RandomGate(1, new NoPruning()));
        assertThrows(IllegalArgumentException.class, () -> new RandomGate(3, 1, new FastV()));
        var e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveGate(32, 0.05).checkLayers(32));
        assertTrue(e.getMessage().contains("1..31"), e.getMessage());
        new AdaptiveGate(31, 0.05).checkLayers(32);
    }
}
