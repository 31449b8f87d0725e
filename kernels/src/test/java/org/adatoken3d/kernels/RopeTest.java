package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class RopeTest {
    static final double U = GemmTest.U;

    /**
     * Kernel and reference share the angle (the same f32 product); the kernel's cos/sin are the reference's
     * rounded to f32 (one rounding), then two products and a sum: within 4u·(|x1| + |x2|) of the reference.
     * Positions are random, repeated and out of order, some beyond the table cap (computed on the fly).
     */
    @Test
    void ropeMatchesReferenceForAnyPositions() {
        SeededCases.run("ropeMatchesReferenceForAnyPositions", 120, rnd -> {
            int headDim = 2 * between(rnd, 1, 80), heads = between(rnd, 1, 5), rows = between(rnd, 1, 12);
            double theta = rnd.nextBoolean() ? 10000 : 1_000_000;
            RopeStyle style = rnd.nextBoolean() ? RopeStyle.ROTATE_HALF : RopeStyle.INTERLEAVED;
            int[] pos = new int[rows];
            int reach = rnd.nextInt(5) == 0 ? Rope.MAX_TABLE_POSITIONS + 5000 : 3000;
            for (int r = 0; r < rows; r++) pos[r] = rnd.nextInt(reach);
            float[] x = uniform(rnd, rows * heads * headDim, 2f);
            float[] ref = ReferenceKernels.rope(x, rows, heads, headDim, theta, style == RopeStyle.INTERLEAVED, pos);
            Rope rope = new Rope(headDim, theta, style);
            float[] got = x.clone();
            rope.apply(got, rows, heads, pos);
            int half = headDim / 2;
            for (int r = 0; r < rows; r++) {
                for (int h = 0; h < heads; h++) {
                    int base = (r * heads + h) * headDim;
                    for (int i = 0; i < half; i++) {
                        int a = style == RopeStyle.INTERLEAVED ? base + 2 * i : base + i;
                        int b = style == RopeStyle.INTERLEAVED ? base + 2 * i + 1 : base + half + i;
                        double tol = 4 * U * (Math.abs(x[a]) + Math.abs(x[b])) + 1e-37;
                        if (!(Math.abs(got[a] - ref[a]) <= tol && Math.abs(got[b] - ref[b]) <= tol)) {
                            fail(style + " row " + r + " (position " + pos[r] + ") head " + h + " pair " + i + ": (" + got[a] + ", " + got[b]
                                    + ") vs (" + ref[a] + ", " + ref[b] + ")");
                        }
                    }
                }
            }
        });
    }

    @Test
    void positionZeroIsTheIdentity() {
        Rope rope = new Rope(64, 10000, RopeStyle.ROTATE_HALF);
        float[] x = uniform(new java.util.SplittableRandom(1), 3 * 64, 1f);
        float[] got = x.clone();
        rope.apply(got, 1, 3, new int[] {0});
        assertArrayEquals(x, got);
    }

    /**
     * Hugging Face's inv_freq for head size 128 at LLaMA's and Qwen2's theta, as PyTorch 1.13 computes it in f32:
     * {@code 1.0 / (theta ** (torch.arange(0, 128, 2).float() / 128))}, bit patterns of entries 2, 16, 37, 63.
     * PyTorch's vectorised f32 pow is not correctly rounded: for theta 1e6 entry 37 it is one ulp above the
     * correctly rounded value we compute (1 of 64 entries), so that theta is checked to one ulp.
     */
    @Test
    void inverseFrequenciesRoundLikePyTorch() {
        int[] entries = {2, 16, 37, 63};
        int[] llama = {0x3f3ff911, 0x3dcccccd, 0x3b9f91cc, 0x38f22ce2};
        int[] qwen2 = {0x3f263de0, 0x3d0186e3, 0x39b229fb, 0x35a68e4c};
        float[] a = Rope.inverseFrequencies(128, 10000), b = Rope.inverseFrequencies(128, 1_000_000);
        for (int e = 0; e < entries.length; e++) {
            assertEquals(llama[e], Float.floatToRawIntBits(a[entries[e]]), "theta 1e4, entry " + entries[e]);
            int ulps = Math.abs(qwen2[e] - Float.floatToRawIntBits(b[entries[e]]));
            assertTrue(ulps <= 1, "theta 1e6, entry " + entries[e] + ": " + ulps + " ulps from PyTorch");
        }
    }

    @Test
    void rejectsNegativePositionsAndOddHeadSizes() {
        Rope rope = new Rope(8, 10000, RopeStyle.ROTATE_HALF);
        assertThrows(IllegalArgumentException.class, () -> rope.apply(new float[8], 1, 1, new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new Rope(7, 10000, RopeStyle.ROTATE_HALF));
    }
}
