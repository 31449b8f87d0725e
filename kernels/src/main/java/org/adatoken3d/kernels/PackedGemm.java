package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * C[m×N] = A[m×K] · Wᵀ for many rows of A, in the classic packed form (Goto/BLIS) with W in the role of the
 * right-hand matrix. The tile and block sizes come from a {@link GemmPlan}, derived per machine.
 *
 * <ul>
 *   <li>W's rows are cut into panels of {@link #NR} rows; for a slice of {@code kc} columns a panel is converted
 *       to f32 (BF16/F16/Q8_0/Q4_0 decoded here, once per element per call) and transposed to {@code [kc][NR]}, so
 *       that the micro-kernel reads it as contiguous vectors. The conversion and transpose are O(N·K) against the
 *       O(m·N·K) arithmetic.
 *   <li>The micro-kernel keeps an {@code mr}×{@link #NR} tile of C (mr rows × 2 vectors) in registers and for each
 *       k multiplies 2 panel vectors by mr broadcast values of A: 2·mr FMAs per mr + 2 loads, of which only the 2
 *       panel vectors stream from L2. Tiles of 24 or more accumulators (6×4, 8×3) do not fit C2's register
 *       allocation even with 32 registers: it hoists every broadcast ahead of the FMAs and spills accumulators,
 *       putting a store-load round trip in the loop-carried chain. A panel of 2 vectors (32 or 16 rows) also
 *       divides 4096 and 11008, so LLaMA shapes need no partial panel.
 *   <li>Cache blocking: the mr rows of A × kc stay in L1 while the kernel sweeps a block of up to
 *       {@code blockPanels} packed panels (L2-resident) for every mr rows of A.
 *   <li>Threads split W's rows (N) into equal blocks, a multiple of the thread count, each packed by the thread
 *       that uses it; no synchronisation inside a call.
 * </ul>
 */
final class PackedGemm {
    static final int NR = 2 * L;
    /** The most rows any micro-kernel takes. */
    static final int MAX_MR = 8;

    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

    /** Per-thread buffers, allocated once per thread (again only for a plan with larger blocks). */
    private static final class Scratch {
        final float[] rows, packed;
        final float[] edge = new float[MAX_MR * NR];

        Scratch(GemmPlan plan) {
            rows = new float[NR * plan.kc()];
            packed = new float[plan.packedFloats()];
        }

        static Scratch of(GemmPlan plan) {
            Scratch s = SCRATCH.get();
            if (s == null || s.rows.length < NR * plan.kc() || s.packed.length < plan.packedFloats()) {
                s = new Scratch(plan);
                SCRATCH.set(s);
            }
            return s;
        }
    }

    private PackedGemm() {}

    static void multiply(float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff) {
        multiply(GemmPlan.MACHINE, a, aOff, m, w, c, cOff);
    }

    static void multiply(GemmPlan plan, float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff) {
        int n = w.rows;
        int panels = (n + NR - 1) / NR;
        int threads = Parallel.threads();
        int perThread = (panels + threads - 1) / threads;
        int blocks = Math.min(panels, threads * ((perThread + plan.blockPanels() - 1) / plan.blockPanels()));
        Parallel.forRange(blocks, (from, to) -> {
            Scratch s = Scratch.of(plan);
            for (int b = from; b < to; b++) {
                int p0 = (int) ((long) panels * b / blocks), p1 = (int) ((long) panels * (b + 1) / blocks);
                block(plan, a, aOff, m, w, c, cOff, p0, p1, s);
            }
        });
    }

    /** All of C's columns covered by panels [p0, p1). */
    private static void block(GemmPlan plan, float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff, int p0, int p1, Scratch s) {
        int n = w.rows, k = w.cols, mr = plan.mr();
        for (int pc = 0; pc < k; pc += plan.kc()) {
            int kc = Math.min(plan.kc(), k - pc);
            boolean accumulate = pc > 0;
            for (int p = p0; p < p1; p++) pack(w, p * NR, pc, kc, s.rows, s.packed, (p - p0) * NR * kc);
            int i = 0;
            for (int rows = mr; i < m; i += rows) {
                // Whole tiles, then one 4-row tile if 4 or more rows are left, then single rows.
                rows = i + mr <= m ? mr : m - i >= 4 ? 4 : 1;
                int aRow = aOff + i * k + pc;
                for (int p = p0; p < p1; p++) {
                    int col = p * NR, bOff = (p - p0) * NR * kc, cTile = cOff + i * n + col;
                    if (rows == 1) {
                        int cols = Math.min(NR, n - col);
                        if (accumulate) System.arraycopy(c, cTile, s.edge, 0, cols);
                        rowKernel(a, aRow, s.packed, bOff, kc, s.edge, 0, accumulate);
                        System.arraycopy(s.edge, 0, c, cTile, cols);
                    } else if (col + NR <= n) {
                        tile(rows, a, aRow, k, s.packed, bOff, kc, c, cTile, n, accumulate);
                    } else {
                        partialColumns(rows, a, aRow, k, s.packed, bOff, kc, c, cTile, n, n - col, accumulate, s.edge);
                    }
                }
            }
        }
    }

    /** W[row0 .. row0+NR)[col .. col+kc) → f32 → packed[off ..] as [kc][NR]; rows past N are zeros. */
    private static void pack(WeightMatrix w, int row0, int col, int kc, float[] rows, float[] packed, int off) {
        int valid = Math.min(NR, w.rows - row0);
        for (int r = 0; r < valid; r++) w.toF32(row0 + r, col, kc, rows, r * kc);
        if (valid < NR) java.util.Arrays.fill(rows, valid * kc, NR * kc, 0f);
        Transpose.transpose(rows, 0, kc, NR, kc, packed, off, NR);
    }

    /** A tile of C narrower than a panel (the last columns of W): computed in scratch, then copied. */
    private static void partialColumns(int mr, float[] a, int aOff, int lda, float[] bp, int bOff, int kc,
                                       float[] c, int cOff, int ldc, int cols, boolean accumulate, float[] edge) {
        for (int r = 0; r < mr; r++) {
            if (accumulate) System.arraycopy(c, cOff + r * ldc, edge, r * NR, cols);
        }
        tile(mr, a, aOff, lda, bp, bOff, kc, edge, 0, NR, accumulate);
        for (int r = 0; r < mr; r++) System.arraycopy(edge, r * NR, c, cOff + r * ldc, cols);
    }

    /**
     * {@code C[0..mr)[0..NR) (+)= A[0..mr)[0..kc) · panel[0..kc)[0..NR)} with the micro-kernel of {@code mr} rows
     * (4, 6 or 8), A's rows {@code lda} apart, C's rows {@code ldc} apart and the panel packed as [kc][NR].
     */
    static void tile(int mr, float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
        switch (mr) {
            case 8 -> kernel8(a, aOff, lda, bp, bOff, kc, c, cOff, ldc, accumulate);
            case 6 -> kernel6(a, aOff, lda, bp, bOff, kc, c, cOff, ldc, accumulate);
            case 4 -> kernel4(a, aOff, lda, bp, bOff, kc, c, cOff, ldc, accumulate);
            default -> throw new IllegalArgumentException("no micro-kernel of " + mr + " rows");
        }
    }

    /** One row of A against one packed panel: {@code c[cOff .. cOff+NR) (+)= a[aOff .. aOff+kc) · panel}. */
    static void rowKernel(float[] a, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, boolean accumulate) {
        FloatVector c0, c1;
        if (accumulate) {
            c0 = FloatVector.fromArray(F, c, cOff);
            c1 = FloatVector.fromArray(F, c, cOff + L);
        } else {
            c0 = c1 = FloatVector.zero(F);
        }
        for (int k = 0, b = bOff; k < kc; k++, b += NR) {
            FloatVector x = FloatVector.broadcast(F, a[aOff + k]);
            c0 = FloatVector.fromArray(F, bp, b).fma(x, c0);
            c1 = FloatVector.fromArray(F, bp, b + L).fma(x, c1);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + L);
    }

    /** The 8-row micro-kernel (16 accumulators): for 32 vector registers. */
    private static void kernel8(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, c, cOff);
            c01 = FloatVector.fromArray(F, c, cOff + L);
            c10 = FloatVector.fromArray(F, c, cOff + 1 * ldc);
            c11 = FloatVector.fromArray(F, c, cOff + 1 * ldc + L);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, cOff + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, cOff + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, cOff + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, cOff + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, cOff + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, cOff + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, cOff + 7 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
            c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        int a0 = aOff, a1 = aOff + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        for (int k = 0, b = bOff; k < kc; k++, b += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[a0 + k]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[a1 + k]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[a2 + k]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[a3 + k]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[a4 + k]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[a5 + k]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[a6 + k]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[a7 + k]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + 1 * ldc);
        c11.intoArray(c, cOff + 1 * ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + L);
    }

    /** The 6-row micro-kernel (12 accumulators, 15 live vectors): for 16 vector registers. */
    private static void kernel6(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, c, cOff);
            c01 = FloatVector.fromArray(F, c, cOff + L);
            c10 = FloatVector.fromArray(F, c, cOff + 1 * ldc);
            c11 = FloatVector.fromArray(F, c, cOff + 1 * ldc + L);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, cOff + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, cOff + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, cOff + 5 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        }
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int k = 0, b = bOff; k < kc; k++, b += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[a0 + k]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[a1 + k]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[a2 + k]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[a3 + k]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[a4 + k]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[a5 + k]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + 1 * ldc);
        c11.intoArray(c, cOff + 1 * ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
    }

    /** The 4-row micro-kernel: rows left over by the 6- and 8-row tiles. */
    private static void kernel4(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, c, cOff);
            c01 = FloatVector.fromArray(F, c, cOff + L);
            c10 = FloatVector.fromArray(F, c, cOff + 1 * ldc);
            c11 = FloatVector.fromArray(F, c, cOff + 1 * ldc + L);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
        }
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int k = 0, b = bOff; k < kc; k++, b += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[a0 + k]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[a1 + k]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[a2 + k]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[a3 + k]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + 1 * ldc);
        c11.intoArray(c, cOff + 1 * ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
    }
}
