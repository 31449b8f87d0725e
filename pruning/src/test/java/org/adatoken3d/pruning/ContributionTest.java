package org.adatoken3d.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class ContributionTest {

    @Test
    void normalizedSumsToOneAndKeepsProportions() {
        SeededCases.run("normalizedSumsToOneAndKeepsProportions", 200, r -> {
            int n = SeededCases.between(r, 1, 300);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = r.nextInt(4) == 0 ? 0f : (float) r.nextDouble();
            a[r.nextInt(n)] = 0.5f; // at least one positive weight
            Contribution c = Contribution.of(a);
            double s = 0;
            for (float x : a) s += x;
            assertEquals(s, c.spatialShare(), 1e-12);
            double[] norm = c.normalized();
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += norm[i];
                assertEquals(a[i] / s, norm[i], 1e-15);
            }
            assertEquals(1.0, total, 1e-12);
        });
    }

    @Test
    void zeroAttentionNormalizesToUniform() {
        double[] c = Contribution.of(new float[5]).normalized();
        assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0.2, 0.2}, c, 0);
        assertEquals(0, Contribution.of(new float[0]).normalized().length);
        assertEquals(0.0, Contribution.of(new float[0]).spatialShare());
    }

    @Test
    void rejectsNegativeOrNonFiniteAttention() {
        var e = assertThrows(IllegalArgumentException.class, () -> Contribution.of(new float[] {0.1f, -0.2f}));
        assertTrue(e.getMessage().contains("spatial token 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Contribution.of(new float[] {Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Contribution.of(new float[] {Float.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> Contribution.of(null));
    }

    @Test
    void copiesItsInput() {
        float[] a = {1f, 2f};
        Contribution c = Contribution.of(a);
        a[0] = 100f;
        assertEquals(1f, c.attention(0));
        c.attention()[1] = 100f;
        assertEquals(2f, c.attention(1));
        assertEquals(Contribution.of(new float[] {1f, 2f}), c);
    }
}
