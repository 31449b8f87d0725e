package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** f32 unit roundoff. */
    static final double U = Math.ulp(1f) / 2;

    /**
     * Any f32 sum of K products, in any order and with or without FMA, is within γ_K·Σ|a_k·w_k| of the exact
     * sum, γ_K = K·u/(1 − K·u) (Higham, Accuracy and Stability, §3.1); the reference sums in double, whose own
     * error is negligible next to that. The bound is rigorous, so no seed can make it flaky, and for the K of
     * these tests it is far below the size of one product, so a dropped or repeated term fails.
     */
    static void assertGemm(float[] a, int m, float[] w, int n, int k, float[] c, int cOff, String what) {
        float[] ref = ReferenceKernels.gemm(a, m, w, n, k);
        double gamma = k * U / (1 - k * U);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double magnitude = 0;
                for (int x = 0; x < k; x++) magnitude += Math.abs((double) a[i * k + x] * w[j * k + x]);
                double tol = 2 * gamma * magnitude + 1e-30;
                double got = c[cOff + i * n + j];
                if (!(Math.abs(got - ref[i * n + j]) <= tol)) {
                    fail(what + ": c[" + i + "][" + j + "] = " + got + ", reference " + ref[i * n + j] + ", tolerance " + tol);
                }
            }
        }
    }

    @Test
    void gemmMatchesReferenceForAnyShapeAndStoredFormat() {
        SeededCases.run("gemmMatchesReferenceForAnyShapeAndStoredFormat", 120, rnd -> {
            int m = rnd.nextInt(4) == 0 ? between(rnd, 1, 3) : between(rnd, 1, 40);
            int n = rnd.nextInt(4) == 0 ? between(rnd, 1, 3) : between(rnd, 1, 130);
            int k = rnd.nextInt(4) == 0 ? between(rnd, 1, 20) : between(rnd, 1, 300);
            WeightFormat format = TestWeights.storedFormat(rnd);
            TestWeights w = TestWeights.random(rnd, format, n, k, 1f);
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = uniform(rnd, m * n, 100f); // garbage that must be overwritten
            Gemm.multiply(a, m, w.matrix(), c);
            assertGemm(a, m, w.values(), n, k, c, 0, format + " " + m + "x" + n + "x" + k);
        });
    }

    /** Decode shapes: one row of A against many rows of W, so that every thread's range is split in quarters. */
    @Test
    void gemvMatchesReferenceOnTallMatrices() {
        SeededCases.run("gemvMatchesReferenceOnTallMatrices", 20, rnd -> {
            int m = between(rnd, 1, 2), n = between(rnd, 200, 1500), k = between(rnd, 1, 200);
            WeightFormat format = TestWeights.storedFormat(rnd);
            TestWeights w = TestWeights.random(rnd, format, n, k, 1f);
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = new float[m * n];
            Gemm.multiply(a, m, w.matrix(), c);
            assertGemm(a, m, w.values(), n, k, c, 0, format + " " + m + "x" + n + "x" + k);
        });
    }

    /**
     * The GEMV walks two rows at a time on 16-register machines and four on 32-register ones (BF16 and Q8_0), and
     * BF16's two-row GEMV one or two weight rows at a time; a machine runs only one of each through {@link Gemm}, so
     * both are called here directly, on odd and even row ranges, and must give the same bits: they sum each row in
     * the same order.
     */
    @Test
    void gemvRowBlockingsGiveTheSameBits() {
        SeededCases.run("gemvRowBlockingsGiveTheSameBits", 30, rnd -> {
            int n = between(rnd, 1, 300), k = between(rnd, 1, 300);
            TestWeights w = TestWeights.random(rnd, WeightFormat.BF16, n, k, 1f);
            boolean q8 = rnd.nextBoolean();
            WeightMatrix matrix = q8 ? w.matrix().toQ8_0() : w.matrix();
            float[] x = uniform(rnd, k, 1f);
            float[] xs = new float[matrix.gemvInputLength()];
            matrix.gemvInput(x, 0, xs, 0);
            int from = rnd.nextInt(n), to = between(rnd, from + 1, n);
            float[] halves = uniform(rnd, n, 100f), quarters = halves.clone();
            if (q8) {
                ((Q8Weights) matrix).gemvHalves(xs, 0, halves, 0, from, to);
                ((Q8Weights) matrix).gemvQuarters(xs, 0, quarters, 0, from, to);
            } else {
                ((Bf16Weights) matrix).gemvHalves(xs, 0, halves, 0, from, to);
                ((Bf16Weights) matrix).gemvQuarters(xs, 0, quarters, 0, from, to);
            }
            for (int j = 0; j < n; j++) {
                if (Float.floatToRawIntBits(halves[j]) != Float.floatToRawIntBits(quarters[j])) {
                    fail(matrix + " rows " + from + ".." + to + ": y[" + j + "] = " + halves[j] + " two rows at a time, "
                            + quarters[j] + " four at a time");
                }
            }
            float[] expected = new float[n];
            Gemm.multiply(x, 1, matrix, expected);
            for (int j = from; j < to; j++) assertEquals(expected[j], halves[j], 0f, matrix + ": y[" + j + "] differs from Gemm's");
            if (!q8) {
                // Two activation rows: one weight row at a time (16 registers) or two (32).
                int stride = (matrix.gemvInputLength() + 15) & ~15;
                float[] x2 = uniform(rnd, 2 * k, 1f), xs2 = new float[2 * stride];
                matrix.gemvInput(x2, 0, xs2, 0);
                matrix.gemvInput(x2, k, xs2, stride);
                float[] single = uniform(rnd, 2 * n, 100f), pairs = single.clone();
                ((Bf16Weights) matrix).gemv2Single(xs2, 0, stride, single, 0, n, from, to);
                ((Bf16Weights) matrix).gemv2Pairs(xs2, 0, stride, pairs, 0, n, from, to);
                for (int j = 0; j < 2 * n; j++) {
                    if (Float.floatToRawIntBits(single[j]) != Float.floatToRawIntBits(pairs[j])) {
                        fail(matrix + " two rows, weight rows " + from + ".." + to + ": y[" + j + "] = " + single[j]
                                + " one weight row at a time, " + pairs[j] + " two at a time");
                    }
                }
            }
        });
    }

    /**
     * A server's decoding step: 2 to {@link Gemm#MAX_GEMV_ROWS} rows of A through the multi-row GEMV, in every
     * format, on matrices tall enough to be split over threads and walked in several blocks. Each row of C must have
     * the very bits of a GEMV of that row alone (so a batch of sequences decodes exactly as each does on its own),
     * and lie within the scalar reference's bound of the format.
     */
    @Test
    void multiRowGemvGivesEachRowTheBitsOfItsOwnGemv() {
        SeededCases.run("multiRowGemvGivesEachRowTheBitsOfItsOwnGemv", 40, rnd -> {
            int m = between(rnd, 2, Gemm.MAX_GEMV_ROWS);
            int n = rnd.nextInt(3) == 0 ? between(rnd, 1, 40) : between(rnd, 200, 1200), k = between(rnd, 1, 300);
            TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, 1f);
            WeightMatrix matrix = switch (rnd.nextInt(4)) {
                case 0 -> w.matrix().toQ8_0();
                case 1 -> w.matrix().toQ4_0();
                default -> w.matrix();
            };
            String what = matrix + " times " + m + " rows";
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = uniform(rnd, m * n, 100f); // garbage that must be overwritten
            Gemm.multiply(a, m, matrix, c);
            float[] alone = new float[n];
            for (int r = 0; r < m; r++) {
                Gemm.multiply(a, r * k, 1, matrix, alone, 0);
                for (int j = 0; j < n; j++) {
                    if (Float.floatToRawIntBits(alone[j]) != Float.floatToRawIntBits(c[r * n + j])) {
                        fail(what + ": c[" + r + "][" + j + "] = " + c[r * n + j] + ", the row alone gives " + alone[j]);
                    }
                }
            }
            switch (matrix.format()) {
                case Q8_0 -> assertQ8Gemm(a, m, w.values(), n, k, c);
                case Q4_0 -> {
                    Q4Weights q = (Q4Weights) matrix;
                    float[] ref = ReferenceKernels.gemm(a, m, Q4WeightsTest.decode(q.codes(), q.scales(), n, k), n, k);
                    int blocks = (k + 31) / 32;
                    for (int j = 0; j < n; j++) {
                        double[] scale = new double[blocks];
                        for (int b = 0; b < blocks; b++) {
                            short bits = q.scales().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, ((long) j * blocks + b) * 2);
                            scale[b] = Math.abs(Float.intBitsToFloat((bits & 0xFFFF) << 16));
                        }
                        for (int i = 0; i < m; i++) {
                            double tol = Q4WeightsTest.arithmeticBound(a, i * k, scale, k) + 1e-30;
                            double err = Math.abs(c[i * n + j] - ref[i * n + j]);
                            if (!(err <= tol)) fail(what + ": c[" + i + "][" + j + "] off the decoded reference by " + err + ", bound " + tol);
                        }
                    }
                }
                default -> assertGemm(a, m, w.values(), n, k, c, 0, what);
            }
        });
    }

    @Test
    void gemmCrossesCacheBlocksAndThreadSplits() {
        // K beyond one KC block and N beyond one thread's block of panels, with ragged ends on every axis.
        SeededCases.run("gemmCrossesCacheBlocksAndThreadSplits", 6, rnd -> {
            int kc = GemmPlan.MACHINE.kc();
            int m = between(rnd, 7, 30), n = between(rnd, 2 * PackedGemm.NR * 3 + 1, 700), k = between(rnd, kc + 1, 3 * kc + 7);
            WeightFormat format = TestWeights.storedFormat(rnd);
            TestWeights w = TestWeights.random(rnd, format, n, k, 1f);
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = new float[m * n];
            Gemm.multiply(a, m, w.matrix(), c);
            assertGemm(a, m, w.values(), n, k, c, 0, format + " " + m + "x" + n + "x" + k);
        });
    }

    /**
     * Every micro-kernel and blocking a machine could be given, whatever this machine's own plan: tiles of 4, 6
     * and 8 rows, block depths that cut K into several blocks with a ragged last one, one panel or many per block;
     * M with every remainder modulo the tile.
     */
    @Test
    void gemmMatchesReferenceUnderEveryPlan() {
        SeededCases.run("gemmMatchesReferenceUnderEveryPlan", 60, rnd -> {
            GemmPlan plan = new GemmPlan(GemmPlan.TILE_ROWS[rnd.nextInt(GemmPlan.TILE_ROWS.length)], 8 * between(rnd, 1, 12), between(rnd, 1, 5));
            int m = between(rnd, 3, 30), n = between(rnd, 1, 5 * PackedGemm.NR + 3), k = between(rnd, 1, 3 * plan.kc() + 5);
            WeightFormat format = TestWeights.storedFormat(rnd);
            TestWeights w = TestWeights.random(rnd, format, n, k, 1f);
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = uniform(rnd, m * n, 100f);
            PackedGemm.multiply(plan, a, 0, m, w.matrix(), c, 0);
            assertGemm(a, m, w.values(), n, k, c, 0, plan + ", " + format + " " + m + "x" + n + "x" + k);
        });
    }

    /** A's rows packed in several chunks, each chunk ending on a tile boundary and the last one ragged. */
    @Test
    void gemmPacksAInChunksOfRows() {
        SeededCases.run("gemmPacksAInChunksOfRows", 12, rnd -> {
            GemmPlan plan = new GemmPlan(GemmPlan.TILE_ROWS[rnd.nextInt(GemmPlan.TILE_ROWS.length)], 8 * between(rnd, 1, 6), between(rnd, 1, 3));
            int chunk = 24 * between(rnd, 1, 2);
            int m = between(rnd, chunk + 1, 3 * chunk + 7), n = between(rnd, 1, 3 * PackedGemm.NR + 3), k = between(rnd, 1, 2 * plan.kc() + 5);
            WeightFormat format = TestWeights.storedFormat(rnd);
            TestWeights w = TestWeights.random(rnd, format, n, k, 1f);
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = uniform(rnd, m * n, 100f);
            PackedGemm.multiply(plan, chunk, a, 0, m, w.matrix(), c, 0);
            assertGemm(a, m, w.values(), n, k, c, 0, plan + ", chunks of " + chunk + " rows, " + format + " " + m + "x" + n + "x" + k);
        });
    }

    @Test
    void planIsDerivedFromRegistersAndCaches() {
        // Zen 1 (AVX2: 16 registers, 32 KiB L1d, 512 KiB L2) and an AVX-512 core (48 KiB L1d, 2 MiB L2), by the
        // rules in GemmPlan: A's mr x kc slice within L1d/4 (power of two), packed block within L2/2.
        GemmPlan avx2 = GemmPlan.forMachine(16, new CpuCaches(32 << 10, 512 << 10, "test"));
        assertEquals(4, avx2.mr());
        assertEquals(512, avx2.kc()); // 8 KiB / (4 rows x 4 B) = 512
        assertEquals((256 << 10) / (PackedGemm.NR * 512 * 4), avx2.blockPanels());
        GemmPlan avx512 = GemmPlan.forMachine(32, new CpuCaches(48 << 10, 2 << 20, "test"));
        assertEquals(8, avx512.mr());
        assertEquals(256, avx512.kc()); // 12 KiB / 32 B = 384 -> 256
        assertEquals(Math.min(64, (1 << 20) / (PackedGemm.NR * 256 * 4)), avx512.blockPanels()); // at most 64
        assertEquals(new GemmPlan(4, 128, avx2.blockPanels()), GemmPlan.withOverrides(avx2, "mr=4, kc=128"));
        var bad = assertThrows(IllegalArgumentException.class, () -> GemmPlan.withOverrides(avx2, "mr=5"));
        assertTrue(bad.getMessage().contains("4, 6 or 8"), bad.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> GemmPlan.withOverrides(avx2, "nc=4"));
        assertTrue(unknown.getMessage().contains("adatoken3d.gemm"), unknown.getMessage());
    }

    @Test
    void cacheSizesParseAsSysfsWritesThem() {
        assertEquals(32 << 10, CpuCaches.parseSize("32K"));
        assertEquals(2 << 20, CpuCaches.parseSize("2M"));
        assertEquals(4096, CpuCaches.parseSize("4096"));
        CpuCaches none = CpuCaches.read(java.nio.file.Path.of("/nonexistent"));
        assertEquals("assumed", none.source());
        assertEquals(CpuCaches.ASSUMED_L1D, none.l1d());
    }

    @Test
    void gemmHonoursOffsetsAndLeavesTheRestAlone() {
        SeededCases.run("gemmHonoursOffsetsAndLeavesTheRestAlone", 40, rnd -> {
            int m = between(rnd, 1, 12), n = between(rnd, 1, 60), k = between(rnd, 1, 70);
            int aOff = between(rnd, 0, 9), cOff = between(rnd, 0, 9), extra = between(rnd, 0, 5);
            TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, 1f);
            float[] rows = uniform(rnd, m * k, 1f);
            float[] a = new float[aOff + m * k + extra];
            System.arraycopy(rows, 0, a, aOff, m * k);
            float[] c = uniform(rnd, cOff + m * n + extra, 5f);
            float[] before = c.clone();
            Gemm.multiply(a, aOff, m, w.matrix(), c, cOff);
            assertGemm(rows, m, w.values(), n, k, c, cOff, "offsets");
            for (int i = 0; i < cOff; i++) assertEquals(before[i], c[i], "c before offset");
            for (int i = cOff + m * n; i < c.length; i++) assertEquals(before[i], c[i], "c after the result");
        });
    }

    /** Each output's summation order is fixed by K alone, so results are bit-identical for any thread count. */
    @Test
    void gemmResultsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            SeededCases.run("gemmResultsDoNotDependOnTheThreadCount", 12, rnd -> {
                int m = rnd.nextBoolean() ? 1 : between(rnd, 3, 40), n = between(rnd, 1, 500), k = between(rnd, 1, 600);
                TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, 1f);
                float[] a = uniform(rnd, m * k, 1f), one = new float[m * n], many = new float[m * n];
                Parallel.setThreads(1);
                Gemm.multiply(a, m, w.matrix(), one);
                Parallel.setThreads(between(rnd, 2, 5));
                Gemm.multiply(a, m, w.matrix(), many);
                org.junit.jupiter.api.Assertions.assertArrayEquals(one, many);
            });
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void q8RowsStayWithinHalfAScaleOfTheOriginal() {
        // Stated bound (WeightMatrix.toQ8_0): |w' - w| <= d/2 with d = max|w| of the block / 127. The code is
        // round(w / d) computed as w * (1/d) in f32: allow d/2 plus a few ulps of the block's largest value.
        SeededCases.run("q8RowsStayWithinHalfAScaleOfTheOriginal", 60, rnd -> {
            int n = between(rnd, 1, 9), k = between(rnd, 1, 200);
            float scale = (float) Math.pow(10, between(rnd, -6, 3));
            TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, scale);
            WeightMatrix q = w.matrix().toQ8_0();
            assertEquals(WeightFormat.Q8_0, q.format());
            assertTrue(q.toQ8_0() == q, "quantising Q8_0 again is the identity");
            float[] row = new float[k];
            for (int r = 0; r < n; r++) {
                q.row(r, row, 0);
                for (int b = 0; b < k; b += 32) {
                    float amax = 0;
                    for (int x = b; x < Math.min(k, b + 32); x++) amax = Math.max(amax, Math.abs(w.values()[r * k + x]));
                    double tol = amax / 254.0 + 4 * Math.ulp(amax);
                    for (int x = b; x < Math.min(k, b + 32); x++) {
                        double err = Math.abs(row[x] - w.values()[r * k + x]);
                        if (!(err <= tol)) fail("row " + r + " col " + x + ": " + row[x] + " vs " + w.values()[r * k + x] + ", bound " + tol);
                    }
                }
            }
        });
    }

    @Test
    void q8GemmAndGemvStayWithinTheQuantisationBound() {
        SeededCases.run("q8GemmAndGemvStayWithinTheQuantisationBound", 40, rnd -> {
            int m = rnd.nextBoolean() ? 1 : between(rnd, 1, 20), n = rnd.nextBoolean() ? between(rnd, 1, 70) : between(rnd, 200, 900);
            int k = between(rnd, 1, 300);
            TestWeights w = TestWeights.random(rnd, TestWeights.storedFormat(rnd), n, k, 1f);
            WeightMatrix q = w.matrix().toQ8_0();
            float[] a = uniform(rnd, m * k, 1f);
            float[] c = new float[m * n];
            Gemm.multiply(a, m, q, c);
            assertQ8Gemm(a, m, w.values(), n, k, c);
        });
    }

    /**
     * C of Q8_0 weights quantised from {@code w} against the reference on w itself:
     * |Σ a·w' − Σ a·w| <= Σ |a_k|·(d_k/2 + ulps) from the row bound above, plus the f32 arithmetic bound.
     */
    static void assertQ8Gemm(float[] a, int m, float[] w, int n, int k, float[] c) {
        float[] ref = ReferenceKernels.gemm(a, m, w, n, k);
        double gamma = k * U / (1 - k * U);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double quant = 0, magnitude = 0;
                for (int b = 0; b < k; b += 32) {
                    float amax = 0;
                    for (int x = b; x < Math.min(k, b + 32); x++) amax = Math.max(amax, Math.abs(w[j * k + x]));
                    for (int x = b; x < Math.min(k, b + 32); x++) {
                        quant += Math.abs(a[i * k + x]) * (amax / 254.0 + 4 * Math.ulp(amax));
                        magnitude += Math.abs(a[i * k + x]) * (Math.abs(w[j * k + x]) + amax / 254.0);
                    }
                }
                double tol = quant + 2 * gamma * magnitude + 1e-30;
                double err = Math.abs(c[i * n + j] - ref[i * n + j]);
                if (!(err <= tol)) fail(m + "x" + n + "x" + k + " Q8_0: c[" + i + "][" + j + "] off by " + err + ", bound " + tol);
            }
        }
    }

    @Test
    void rowDecodesEveryStoredFormat() {
        SeededCases.run("rowDecodesEveryStoredFormat", 40, rnd -> {
            int n = between(rnd, 1, 5), k = between(rnd, 1, 80);
            WeightFormat format = TestWeights.storedFormat(rnd);
            TestWeights w = TestWeights.random(rnd, format, n, k, 3f);
            int off = between(rnd, 0, 4);
            float[] dst = new float[off + k];
            for (int r = 0; r < n; r++) {
                w.matrix().row(r, dst, off);
                for (int x = 0; x < k; x++) assertEquals(w.values()[r * k + x], dst[off + x], format + " row " + r + " col " + x);
            }
        });
    }

    @Test
    void halfFloatSpecialValuesDecodeExactly() {
        // Every one of the 65536 half-float bit patterns, through the vector path (rows of 32) and the GEMV.
        var seg = Arena.ofAuto().allocate(65536 * 2);
        for (int i = 0; i < 65536; i++) seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) i);
        WeightMatrix w = WeightMatrix.of(seg, WeightFormat.F16, 2048, 32);
        float[] row = new float[32];
        for (int r = 0; r < 2048; r++) {
            w.row(r, row, 0);
            for (int x = 0; x < 32; x++) {
                float expected = Float.float16ToFloat((short) (r * 32 + x));
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(row[x]), "half bits 0x" + Integer.toHexString(r * 32 + x));
            }
        }
    }

    @Test
    void ofRejectsSegmentsOfTheWrongSize() {
        var seg = Arena.ofAuto().allocate(100);
        var e = assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(seg, WeightFormat.F32, 5, 6));
        assertTrue(e.getMessage().contains("120 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(seg, WeightFormat.BF16, 0, 6));
        assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(seg, WeightFormat.Q8_0, 5, 20));
        try (Arena confined = Arena.ofConfined()) {
            var local = confined.allocate(120);
            var c = assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(local, WeightFormat.F32, 5, 6));
            assertTrue(c.getMessage().contains("shared arena"), c.getMessage());
        }
    }

    @Test
    void multiplyRejectsArraysThatAreTooSmall() {
        WeightMatrix w = WeightMatrix.of(Arena.ofAuto().allocate(4 * 3 * 4), WeightFormat.F32, 4, 3);
        assertThrows(IllegalArgumentException.class, () -> Gemm.multiply(new float[5], 2, w, new float[8]));
        assertThrows(IllegalArgumentException.class, () -> Gemm.multiply(new float[6], 2, w, new float[7]));
        assertThrows(IllegalArgumentException.class, () -> Gemm.multiply(new float[6], -1, w, new float[8]));
    }

    @Test
    void bytesCountsWhatAPassReads() {
        var seg = Arena.ofAuto().allocate(64L * 64 * 2);
        WeightMatrix w = WeightMatrix.of(seg, WeightFormat.BF16, 64, 64);
        assertEquals(64L * 64 * 2, w.bytes());
        assertEquals(64L * 64 + 64L * 2 * 4, w.toQ8_0().bytes(), "one byte per value and one f32 scale per 32");
    }
}
