package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class Q4WeightsTest {
    /** bfloat16 has 8 significant bits: a value rounded away from zero grows by less than 2⁻⁷ of itself. */
    static final double BF16_UP = 1 + 0x1p-7;

    /**
     * The format's bound for one value w of a block whose largest magnitude is amax and whose extreme value is m:
     * |d| ≤ (amax/8)(1 + 2⁻⁷); within |d|/2 where w has m's sign or |w| ≤ 15/16·amax (then |w/d| ≤ 7.5, no clamp),
     * else within |d|. Plus a few ulps of amax for the division that picks the code.
     */
    static double bound(float w, float m, float amax) {
        double d = amax / 8.0 * BF16_UP;
        boolean unclamped = Math.signum(w) == Math.signum(m) || Math.abs(w) <= 15.0 / 16 * amax;
        return (unclamped ? d / 2 : d) + 4 * Math.ulp(amax) + Float.MIN_VALUE;
    }

    /**
     * The f32 arithmetic error of the GEMV's {@code Σ_b d_b·Σ q·x − 8·Σ_b d_b·Σx} (and of the GEMM on decoded
     * values, which is smaller): each of the K + blocks products and sums rounds with a γ of that many terms, the
     * terms are at most 15·|d|·|x| and 8·|d|·|x|, and the final subtraction adds u·(15 + 8)·Σ|d|·|x|: 46·γ·Σ|d|·|x|.
     */
    static double arithmeticBound(float[] a, int aOff, double[] scaleMagnitude, int k) {
        int terms = k + (k + 31) / 32 + 4;
        double gamma = terms * GemmTest.U / (1 - terms * GemmTest.U), s = 0;
        for (int x = 0; x < k; x++) s += Math.abs(a[aOff + x]) * scaleMagnitude[x / 32];
        return 46 * gamma * s;
    }

    private static float extreme(float[] v, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) if (Math.abs(v[i]) > Math.abs(m)) m = v[i];
        return m;
    }

    @Test
    void q4RowsStayWithinTheFormatsBound() {
        SeededCases.run("q4RowsStayWithinTheFormatsBound", 80, rnd -> {
            int n = between(rnd, 1, 9), k = between(rnd, 1, 200);
            float scale = (float) Math.pow(10, between(rnd, -30, 3));
            TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, scale);
            WeightMatrix q = w.matrix().toQ4_0();
            assertEquals(WeightFormat.Q4_0, q.format());
            assertSame(q, q.toQ4_0(), "quantising Q4_0 again is the identity");
            float[] row = new float[k];
            float[] v = w.values();
            for (int r = 0; r < n; r++) {
                q.row(r, row, 0);
                for (int b = 0; b < k; b += 32) {
                    int end = Math.min(k, b + 32);
                    float m = extreme(v, r * k + b, r * k + end), amax = Math.abs(m);
                    for (int x = b; x < end; x++) {
                        float orig = v[r * k + x];
                        double err = Math.abs(row[x] - orig);
                        if (!(err <= bound(orig, m, amax))) {
                            fail("row " + r + " col " + x + ": " + row[x] + " for " + orig + ", bound " + bound(orig, m, amax) + " (amax " + amax + ")");
                        }
                    }
                }
            }
        });
    }

    @Test
    void blockExtremesOfBfloat16ScalesComeBackExactly() {
        // m / -8 is a bfloat16 when m is one: then d = -m/8 exactly and code 0 stands for -8d = m.
        SeededCases.run("blockExtremesOfBfloat16ScalesComeBackExactly", 40, rnd -> {
            int k = 32 * between(rnd, 1, 4);
            float[] v = uniform(rnd, k, 1f);
            for (int i = 0; i < k; i++) v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xFFFF0000);
            MemorySegment seg = Arena.ofAuto().allocate(k * 4L);
            for (int i = 0; i < k; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v[i]);
            WeightMatrix q = WeightMatrix.of(seg, WeightFormat.F32, 1, k).toQ4_0();
            float[] row = new float[k];
            q.row(0, row, 0);
            for (int b = 0; b < k; b += 32) {
                int at = b;
                for (int i = b; i < b + 32; i++) if (Math.abs(v[i]) > Math.abs(v[at])) at = i;
                assertEquals(v[at], row[at], "block " + b / 32 + " extreme");
            }
        });
    }

    @Test
    void q4GemmAndGemvStayWithinTheQuantisationBound() {
        // |Σ a·w' − Σ a·w| ≤ Σ |a_k|·bound_k, plus the f32 arithmetic bound γ_K·Σ|a_k|·|w'_k|.
        SeededCases.run("q4GemmAndGemvStayWithinTheQuantisationBound", 40, rnd -> {
            int m = rnd.nextBoolean() ? between(rnd, 1, 2) : between(rnd, 3, 20), n = rnd.nextBoolean() ? between(rnd, 1, 70) : between(rnd, 200, 900);
            int k = between(rnd, 1, 300);
            TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, 1f);
            WeightMatrix q = w.matrix().toQ4_0();
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = uniform(rnd, m * n, 50f);
            Gemm.multiply(a, m, q, c);
            float[] v = w.values();
            float[] ref = ReferenceKernels.gemm(a, m, v, n, k);
            for (int j = 0; j < n; j++) {
                double[] wBound = new double[k];
                double[] scale = new double[(k + 31) / 32];
                for (int b = 0; b < k; b += 32) {
                    int end = Math.min(k, b + 32);
                    float e = extreme(v, j * k + b, j * k + end), amax = Math.abs(e);
                    scale[b / 32] = amax / 8.0 * BF16_UP;
                    for (int x = b; x < end; x++) wBound[x] = bound(v[j * k + x], e, amax);
                }
                for (int i = 0; i < m; i++) {
                    double quant = 0;
                    for (int x = 0; x < k; x++) quant += Math.abs(a[i * k + x]) * wBound[x];
                    double tol = quant + arithmeticBound(a, i * k, scale, k) + 1e-30;
                    double err = Math.abs(c[i * n + j] - ref[i * n + j]);
                    if (!(err <= tol)) fail(m + "x" + n + "x" + k + ": c[" + i + "][" + j + "] off by " + err + ", bound " + tol);
                }
            }
        });
    }

    @Test
    void gemvMatchesTheReferenceOnTheDecodedValues() {
        // The kernels against the scalar reference on exactly the values the format stores (decoded by the
        // reference's own rule below, from the tensors), within the f32 arithmetic bound.
        SeededCases.run("gemvMatchesTheReferenceOnTheDecodedValues", 30, rnd -> {
            int m = between(rnd, 1, 12), n = between(rnd, 1, 600), k = between(rnd, 1, 260);
            TestWeights w = TestWeights.random(rnd, WeightFormat.F32, n, k, 2f);
            Q4Weights q = (Q4Weights) w.matrix().toQ4_0();
            float[] decoded = decode(q.codes(), q.scales(), n, k);
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = new float[m * n];
            Gemm.multiply(a, m, q, c);
            float[] ref = ReferenceKernels.gemm(a, m, decoded, n, k);
            for (int j = 0; j < n; j++) {
                double[] scale = new double[(k + 31) / 32];
                for (int b = 0; b < scale.length; b++) scale[b] = Math.abs(scaleOf(q.scales(), j, b, k));
                for (int i = 0; i < m; i++) {
                    double tol = arithmeticBound(a, i * k, scale, k) + 1e-30;
                    if (!(Math.abs(c[i * n + j] - ref[i * n + j]) <= tol)) {
                        fail("c[" + i + "][" + j + "] = " + c[i * n + j] + ", reference " + ref[i * n + j] + ", tolerance " + tol);
                    }
                }
            }
        });
    }

    private static float scaleOf(MemorySegment scales, int row, int block, int cols) {
        int blocks = (cols + 31) / 32;
        short bits = scales.get(ValueLayout.JAVA_SHORT_UNALIGNED, ((long) row * blocks + block) * 2);
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The layout of the Q4Weights table, read independently: low nibble column j, high nibble column j + 16. */
    static float[] decode(MemorySegment codes, MemorySegment scales, int rows, int cols) {
        int blocks = (cols + 31) / 32;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int b = c / 32, j = c % 32;
                int packed = codes.get(ValueLayout.JAVA_BYTE, ((long) r * blocks + b) * 16 + j % 16) & 0xFF;
                int code = j < 16 ? packed & 0xF : packed >>> 4;
                out[r * cols + c] = (code - 8) * scaleOf(scales, r, b, cols);
            }
        }
        return out;
    }

    @Test
    void mappedTensorsAreReadInPlace() {
        // A matrix rebuilt from copies of the two tensors (as a loader maps them) computes the same products.
        SeededCases.run("mappedTensorsAreReadInPlace", 10, rnd -> {
            int n = between(rnd, 1, 40), k = between(rnd, 1, 100);
            TestWeights w = TestWeights.random(rnd, WeightFormat.BF16, n, k, 1f);
            Q4Weights q = (Q4Weights) w.matrix().toQ4_0();
            Arena arena = Arena.ofShared();
            MemorySegment codes = arena.allocate(q.codes().byteSize() + 1).asSlice(1).copyFrom(q.codes());
            MemorySegment scales = arena.allocate(q.scales().byteSize() + 1).asSlice(1).copyFrom(q.scales());
            Q4Weights mapped = Q4Weights.of(codes.asReadOnly(), scales.asReadOnly(), n, k);
            float[] a = uniform(rnd, 3 * k, 1f), c1 = new float[3 * n], c2 = new float[3 * n];
            Gemm.multiply(a, 3, q, c1);
            Gemm.multiply(a, 3, mapped, c2);
            org.junit.jupiter.api.Assertions.assertArrayEquals(c1, c2);
            assertEquals((long) n * ((k + 31) / 32) * 18, mapped.bytes(), "16 code bytes and a 2-byte scale per 32 values");
        });
    }

    @Test
    void ofRejectsTensorsOfTheWrongSize() {
        Arena arena = Arena.ofAuto();
        var e = assertThrows(IllegalArgumentException.class, () -> Q4Weights.of(arena.allocate(16 * 3), arena.allocate(2 * 2), 2, 40));
        assertTrue(e.getMessage().contains("U8 [2, 32]"), e.getMessage());
        var s = assertThrows(IllegalArgumentException.class, () -> Q4Weights.of(arena.allocate(16 * 4), arena.allocate(2 * 3), 2, 40));
        assertTrue(s.getMessage().contains("BF16 [2, 2]"), s.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(arena.allocate(100), WeightFormat.Q4_0, 5, 20));
    }
}
