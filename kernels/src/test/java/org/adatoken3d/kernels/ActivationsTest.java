package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    static final double U = GemmTest.U;

    /** Values mostly in [-8, 8), some far out where exp overflows or underflows. */
    static float[] inputs(java.util.SplittableRandom rnd, int n) {
        float[] x = uniform(rnd, n, 8f);
        for (int i = 0; i < n; i++) if (rnd.nextInt(20) == 0) x[i] = (float) ((rnd.nextDouble() * 2 - 1) * 200);
        return x;
    }

    /**
     * g / (1 + e^-g) · up: the vector exp is within a few ulps, then three roundings: 16u relative. Results below
     * 1e-30 come from e^-g overflowing or underflowing and are compared absolutely.
     */
    @Test
    void siluMulMatchesReference() {
        SeededCases.run("siluMulMatchesReference", 100, rnd -> {
            int n = rnd.nextInt(3) == 0 ? between(rnd, 1, 40) : between(rnd, 1, 3000);
            float[] g = inputs(rnd, n), up = uniform(rnd, n, 3f);
            float[] ref = ReferenceKernels.siluMul(g, up, n);
            Activations.siluMul(g, up, n);
            for (int i = 0; i < n; i++) {
                if (!(Math.abs(g[i] - ref[i]) <= 16 * U * Math.abs(ref[i]) + 1e-30)) fail("element " + i + ": " + g[i] + " vs " + ref[i]);
            }
        });
    }

    /**
     * ERF: Abramowitz–Stegun 7.1.26 is within 1.5e-7 of erf, evaluated in f32 (a few more u), so the output is
     * within 0.5·|x|·(1.5e-7 + 16u) plus a few roundings of the result. TANH: the argument carries ~4u relative
     * error and tanh' ≤ 1. QUICK: as SiLU, but the f32 product 1.702·x carries a rounding that e^y turns into a
     * relative error of |1.702·x|·u.
     */
    @Test
    void geluMatchesReferenceInEveryForm() {
        SeededCases.run("geluMatchesReferenceInEveryForm", 150, rnd -> {
            int n = rnd.nextInt(3) == 0 ? between(rnd, 1, 40) : between(rnd, 1, 3000);
            GeluForm form = GeluForm.values()[rnd.nextInt(3)];
            float[] x = inputs(rnd, n), original = x.clone();
            float[] ref = ReferenceKernels.gelu(x, n, form.name().toLowerCase());
            Activations.gelu(x, n, form);
            for (int i = 0; i < n; i++) {
                double v = original[i];
                double tol = switch (form) {
                    case ERF -> 0.5 * Math.abs(v) * (1.5e-7 + 16 * U) + 8 * U * Math.abs(ref[i]);
                    case TANH -> 0.5 * Math.abs(v) * 8 * U * (1 + Math.abs(v) + 0.1 * Math.abs(v * v * v)) + 8 * U * Math.abs(ref[i]);
                    case QUICK -> (16 + 2 * Math.abs(v)) * U * Math.abs(ref[i]);
                };
                if (!(Math.abs(x[i] - ref[i]) <= tol + 1e-30)) fail(form + " gelu(" + v + ") = " + x[i] + ", reference " + ref[i]);
            }
        });
    }

    /** gelu·mul is the GELU above times up: one more rounding, and up's magnitude scales the GELU's error. */
    @Test
    void geluMulMatchesReferenceInEveryForm() {
        SeededCases.run("geluMulMatchesReferenceInEveryForm", 60, rnd -> {
            int n = rnd.nextInt(3) == 0 ? between(rnd, 1, 40) : between(rnd, 1, 3000);
            GeluForm form = GeluForm.values()[rnd.nextInt(3)];
            float[] g = inputs(rnd, n), up = uniform(rnd, n, 3f), original = g.clone();
            float[] gelu = ReferenceKernels.gelu(original, n, form.name().toLowerCase());
            Activations.geluMul(g, up, n, form);
            for (int i = 0; i < n; i++) {
                double v = original[i], ref = (double) gelu[i] * up[i];
                double tol = Math.abs(up[i]) * (0.5 * Math.abs(v) * (1.5e-7 + 16 * U) * (1 + Math.abs(v) + 0.1 * Math.abs(v * v * v))
                        + (16 + 2 * Math.abs(v)) * U * Math.abs(gelu[i])) + 2 * U * Math.abs(ref);
                if (!(Math.abs(g[i] - ref) <= tol + 1e-30)) fail(form + " gelu(" + v + ")·" + up[i] + " = " + g[i] + ", reference " + ref);
            }
        });
    }

    /** The reference's own erf against published values (Abramowitz & Stegun, Table 7.1, to 10+ digits). */
    @Test
    void referenceErfMatchesTables() {
        double[][] table = {{0.1, 0.1124629160}, {0.5, 0.5204998778}, {1.0, 0.8427007929}, {1.5, 0.9661051465},
            {2.0, 0.9953222650}, {2.5, 0.9995930480}, {3.0, 0.9999779095}, {4.0, 0.9999999846}};
        for (double[] row : table) {
            assertEquals(row[1], ReferenceKernels.erf(row[0]), 1e-10, "erf(" + row[0] + ")");
            assertEquals(-row[1], ReferenceKernels.erf(-row[0]), 1e-10, "erf(-" + row[0] + ")");
        }
    }

    /**
     * Each probability within (n + 16 + |x − max|)·u of its own size: the sum's γ_n, the exp and division
     * roundings, and the rounding of x − max that e^y turns into a relative error of |x − max|·u.
     */
    @Test
    void softmaxMatchesReferenceIncludingMaskedEntries() {
        SeededCases.run("softmaxMatchesReferenceIncludingMaskedEntries", 150, rnd -> {
            int n = rnd.nextInt(3) == 0 ? between(rnd, 1, 20) : between(rnd, 1, 2000), off = between(rnd, 0, 5);
            float[] x = new float[off + n + 3];
            float[] values = uniform(rnd, n, 20f);
            for (int i = 0; i < n; i++) if (rnd.nextInt(6) == 0) values[i] = Float.NEGATIVE_INFINITY;
            System.arraycopy(values, 0, x, off, n);
            float[] ref = ReferenceKernels.softmax(x, off, n);
            Softmax.inPlace(x, off, n);
            float max = Float.NEGATIVE_INFINITY;
            for (float value : values) max = Math.max(max, value);
            for (int i = 0; i < n; i++) {
                double spread = values[i] == Float.NEGATIVE_INFINITY ? 0 : max - values[i];
                if (!(Math.abs(x[off + i] - ref[i]) <= (n + 16 + spread) * U * ref[i] + 1e-45)) fail("entry " + i + ": " + x[off + i] + " vs " + ref[i]);
            }
            assertEquals(0f, x[off + n], "past the slice untouched");
        });
    }

    @Test
    void softmaxOfAllMaskedIsZero() {
        float[] x = new float[37];
        Arrays.fill(x, Float.NEGATIVE_INFINITY);
        Softmax.inPlace(x, 0, 37);
        assertArrayEquals(new float[37], x);
    }

    /** f32 adds are correctly rounded whichever way they are vectorised: results equal the scalar ones exactly. */
    @Test
    void residualAddAndBiasAreExact() {
        SeededCases.run("residualAddAndBiasAreExact", 60, rnd -> {
            int rows = between(rnd, 1, 40), dim = between(rnd, 1, 1200);
            float[] acc = uniform(rnd, rows * dim, 5f), x = uniform(rnd, rows * dim, 5f), bias = uniform(rnd, dim, 1f);
            float[] expected = new float[rows * dim];
            for (int i = 0; i < expected.length; i++) expected[i] = acc[i] + x[i] + bias[i % dim];
            Vectors.add(acc, x, rows * dim);
            Vectors.addBias(acc, rows, bias);
            assertArrayEquals(expected, acc);
        });
    }
}
