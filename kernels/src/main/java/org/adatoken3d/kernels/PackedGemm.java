package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * C[m×N] = A[m×K] · Wᵀ for many rows of A, in the classic packed form (Goto/BLIS) with W in the role of the
 * right-hand matrix.
 *
 * <ul>
 *   <li>W's rows are cut into panels of {@link #NR} rows; for a slice of {@link #KC} columns a panel is converted
 *       to f32 (BF16/F16/Q8_0 decoded here, once per element per call) and transposed to {@code [KC][NR]}, so
 *       that the micro-kernel reads it as contiguous vectors. The conversion and transpose are O(N·K) against the
 *       O(m·N·K) arithmetic.
 *   <li>The micro-kernel keeps an {@link #MR}×{@link #NR} tile of C in 18 vector registers and for each k
 *       multiplies 3 panel vectors by 6 broadcast values of A: 18 FMAs per 9 loads. Bigger tiles (6×4, 8×3) do not
 *       fit C2's register allocation: it hoists every broadcast ahead of the FMAs and spills accumulators, which
 *       puts a store-load round trip in the loop-carried chain.
 *   <li>Cache blocking: the 6 rows of A × KC (6 KiB) stay in L1 while the kernel sweeps a block of up to
 *       {@link #MAX_BLOCK_PANELS} packed panels (≤ 384 KiB, L2-resident) for every 6 rows of A. On the Zen 5
 *       VM this was tuned on (1 MiB L2), KC = 384 or 512 ran slower, and 6 to 12 panels per block alike.
 *   <li>Threads split W's rows (N) into equal blocks, a multiple of the thread count, each packed by the thread
 *       that uses it; no synchronisation inside a call.
 * </ul>
 */
final class PackedGemm {
    static final int MR = 6;
    static final int NR = 3 * L;
    static final int KC = 256;
    static final int MAX_BLOCK_PANELS = 8;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers, allocated once per thread. */
    private static final class Scratch {
        final float[] rows = new float[NR * KC];
        final float[] packed = new float[MAX_BLOCK_PANELS * NR * KC];
        final float[] edge = new float[MR * NR];
    }

    private PackedGemm() {}

    static void multiply(float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff) {
        int n = w.rows;
        int panels = (n + NR - 1) / NR;
        int threads = Parallel.threads();
        int perThread = (panels + threads - 1) / threads;
        int blocks = Math.min(panels, threads * ((perThread + MAX_BLOCK_PANELS - 1) / MAX_BLOCK_PANELS));
        Parallel.forRange(blocks, (from, to) -> {
            Scratch s = SCRATCH.get();
            for (int b = from; b < to; b++) {
                int p0 = (int) ((long) panels * b / blocks), p1 = (int) ((long) panels * (b + 1) / blocks);
                block(a, aOff, m, w, c, cOff, p0, p1, s);
            }
        });
    }

    /** All of C's columns covered by panels [p0, p1). */
    private static void block(float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff, int p0, int p1, Scratch s) {
        int n = w.rows, k = w.cols;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean accumulate = pc > 0;
            for (int p = p0; p < p1; p++) pack(w, p * NR, pc, kc, s.rows, s.packed, (p - p0) * NR * kc);
            int i = 0;
            for (; i + MR <= m; i += MR) {
                int aRow = aOff + i * k + pc;
                for (int p = p0; p < p1; p++) {
                    int col = p * NR, bOff = (p - p0) * NR * kc;
                    if (col + NR <= n) {
                        kernel(a, aRow, k, s.packed, bOff, kc, c, cOff + i * n + col, n, accumulate);
                    } else {
                        edgeTile(a, aRow, k, MR, s.packed, bOff, kc, c, cOff + i * n + col, n, n - col, accumulate, s.edge);
                    }
                }
            }
            if (i < m) {
                int rows = m - i, aRow = aOff + i * k + pc;
                for (int p = p0; p < p1; p++) {
                    int col = p * NR, bOff = (p - p0) * NR * kc;
                    edgeTile(a, aRow, k, rows, s.packed, bOff, kc, c, cOff + i * n + col, n, Math.min(NR, n - col), accumulate, s.edge);
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

    /**
     * A tile that is not a full MR×NR block of C (the last rows of A, the last columns of W): computed row by row
     * into a scratch tile, then copied to C.
     */
    private static void edgeTile(float[] a, int aOff, int lda, int rows, float[] bp, int bOff, int kc,
                                 float[] c, int cOff, int ldc, int cols, boolean accumulate, float[] edge) {
        for (int r = 0; r < rows; r++) {
            if (accumulate) System.arraycopy(c, cOff + r * ldc, edge, 0, cols);
            rowKernel(a, aOff + r * lda, bp, bOff, kc, edge, 0, accumulate);
            System.arraycopy(edge, 0, c, cOff + r * ldc, cols);
        }
    }

    /** One row of A against one packed panel: {@code c[cOff .. cOff+NR) (+)= a[aOff .. aOff+kc) · panel}. */
    static void rowKernel(float[] a, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, boolean accumulate) {
        FloatVector c0, c1, c2;
        if (accumulate) {
            c0 = FloatVector.fromArray(F, c, cOff);
            c1 = FloatVector.fromArray(F, c, cOff + L);
            c2 = FloatVector.fromArray(F, c, cOff + 2 * L);
        } else {
            c0 = c1 = c2 = FloatVector.zero(F);
        }
        for (int k = 0, b = bOff; k < kc; k++, b += NR) {
            FloatVector x = FloatVector.broadcast(F, a[aOff + k]);
            c0 = FloatVector.fromArray(F, bp, b).fma(x, c0);
            c1 = FloatVector.fromArray(F, bp, b + L).fma(x, c1);
            c2 = FloatVector.fromArray(F, bp, b + 2 * L).fma(x, c2);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + L);
        c2.intoArray(c, cOff + 2 * L);
    }

    /**
     * The micro-kernel: {@code C[0..6)[0..NR) (+)= A[0..6)[0..kc) · panel[0..kc)[0..NR)}, with A's rows
     * {@code lda} apart, C's rows {@code ldc} apart and the panel packed as [kc][NR].
     */
    static void kernel(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, c40, c41, c42, c50, c51, c52;
        if (accumulate) {
            int o0 = cOff;
            c00 = FloatVector.fromArray(F, c, o0); c01 = FloatVector.fromArray(F, c, o0 + L); c02 = FloatVector.fromArray(F, c, o0 + 2 * L);
            int o1 = cOff + 1 * ldc;
            c10 = FloatVector.fromArray(F, c, o1); c11 = FloatVector.fromArray(F, c, o1 + L); c12 = FloatVector.fromArray(F, c, o1 + 2 * L);
            int o2 = cOff + 2 * ldc;
            c20 = FloatVector.fromArray(F, c, o2); c21 = FloatVector.fromArray(F, c, o2 + L); c22 = FloatVector.fromArray(F, c, o2 + 2 * L);
            int o3 = cOff + 3 * ldc;
            c30 = FloatVector.fromArray(F, c, o3); c31 = FloatVector.fromArray(F, c, o3 + L); c32 = FloatVector.fromArray(F, c, o3 + 2 * L);
            int o4 = cOff + 4 * ldc;
            c40 = FloatVector.fromArray(F, c, o4); c41 = FloatVector.fromArray(F, c, o4 + L); c42 = FloatVector.fromArray(F, c, o4 + 2 * L);
            int o5 = cOff + 5 * ldc;
            c50 = FloatVector.fromArray(F, c, o5); c51 = FloatVector.fromArray(F, c, o5 + L); c52 = FloatVector.fromArray(F, c, o5 + 2 * L);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c02 = z; c10 = z; c11 = z; c12 = z; c20 = z; c21 = z; c22 = z; c30 = z; c31 = z; c32 = z; c40 = z; c41 = z; c42 = z; c50 = z; c51 = z; c52 = z;
        }
        int a0 = aOff, a1 = aOff + 1 * lda, a2 = aOff + 2 * lda, a3 = aOff + 3 * lda, a4 = aOff + 4 * lda, a5 = aOff + 5 * lda;
        for (int k = 0, b = bOff; k < kc; k++, b += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L), b2 = FloatVector.fromArray(F, bp, b + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[a0 + k]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(F, a[a1 + k]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(F, a[a2 + k]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(F, a[a3 + k]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32);
            x = FloatVector.broadcast(F, a[a4 + k]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42);
            x = FloatVector.broadcast(F, a[a5 + k]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52);
        }
        int s0 = cOff;
        c00.intoArray(c, s0); c01.intoArray(c, s0 + L); c02.intoArray(c, s0 + 2 * L);
        int s1 = cOff + 1 * ldc;
        c10.intoArray(c, s1); c11.intoArray(c, s1 + L); c12.intoArray(c, s1 + 2 * L);
        int s2 = cOff + 2 * ldc;
        c20.intoArray(c, s2); c21.intoArray(c, s2 + L); c22.intoArray(c, s2 + 2 * L);
        int s3 = cOff + 3 * ldc;
        c30.intoArray(c, s3); c31.intoArray(c, s3 + L); c32.intoArray(c, s3 + 2 * L);
        int s4 = cOff + 4 * ldc;
        c40.intoArray(c, s4); c41.intoArray(c, s4 + L); c42.intoArray(c, s4 + 2 * L);
        int s5 = cOff + 5 * ldc;
        c50.intoArray(c, s5); c51.intoArray(c, s5 + L); c52.intoArray(c, s5 + 2 * L);
    }
}
