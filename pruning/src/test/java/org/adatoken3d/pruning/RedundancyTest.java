package org.adatoken3d.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class RedundancyTest {

    @Test
    void redundancyMatchesBruteForceOverAllSubsets() {
        SeededCases.run("redundancyMatchesBruteForceOverAllSubsets", 300, r -> {
            int n = SeededCases.between(r, 1, 12);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = r.nextInt(5) == 0 ? 0f : (float) Math.pow(r.nextDouble(), 3);
            double[] c = Contribution.of(a).normalized();
            double tau = r.nextDouble() * (r.nextBoolean() ? 0.3 : 1.2);
            int best = 0;
            for (int subset = 0; subset < (1 << n); subset++) {
                double sum = 0;
                for (int i = 0; i < n; i++) if ((subset & (1 << i)) != 0) sum += c[i];
                if (sum <= tau) best = Math.max(best, Integer.bitCount(subset));
            }
            assertEquals(best, Redundancy.count(c, tau), "tau " + tau);
            assertEquals((double) best / n, Redundancy.fraction(c, tau), 0);
        });
    }

    @Test
    void redundancyIsMonotoneInTau() {
        SeededCases.run("redundancyIsMonotoneInTau", 100, r -> {
            int n = SeededCases.between(r, 1, 500);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) Math.exp(4 * r.nextGaussian());
            double[] c = Contribution.of(a).normalized();
            double previous = -1;
            for (double tau = 0; tau <= 1.0; tau += 0.01) {
                double f = Redundancy.fraction(c, tau);
                assertTrue(f >= previous, "R must not decrease with tau");
                previous = f;
            }
        });
    }

    @Test
    void knownCases() {
        // Ten tokens: one holds 91%, nine hold 1% each: the nine fit under 0.09 but not under 0.08.
        double[] c = {0.01, 0.01, 0.91, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01};
        assertEquals(0.8, Redundancy.fraction(c, 0.085), 0);
        assertEquals(0.9, Redundancy.fraction(c, 0.095), 0);
        assertEquals(1.0, Redundancy.fraction(c, 1.5), 0);
        assertEquals(0.0, Redundancy.fraction(new double[] {0.5, 0.5}, 0.0), 0);
        assertEquals(0.5, Redundancy.fraction(new double[] {0.0, 1.0}, 0.0), 0);
        assertEquals(0.0, Redundancy.fraction(new double[0], 0.05), 0);
        assertThrows(IllegalArgumentException.class, () -> Redundancy.fraction(c, -0.1));
        assertThrows(IllegalArgumentException.class, () -> Redundancy.fraction(c, Double.NaN));
    }
}
