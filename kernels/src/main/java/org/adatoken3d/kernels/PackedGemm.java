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
 *       putting a store-load round trip in the loop-carried chain; with 16 registers the 6-row tile does the same
 *       to one accumulator. A panel of 2 vectors (32 or 16 rows) also divides 4096 and 11008, so LLaMA shapes
 *       need no partial panel.
 *   <li>A is packed too, per slice of kc columns, into tiles of mr rows interleaved as [kc][mr] ({@link #packRows}),
 *       once per call into a buffer all threads read: the kernel then takes its broadcasts from one stream.
 *   <li>Cache blocking: a tile of A (mr × kc) stays in L1 while the kernel sweeps a block of up to
 *       {@code blockPanels} packed panels (L2-resident) for every tile of A.
 *   <li>Threads split W's rows (N) into equal blocks, a multiple of the thread count, each packed by the thread
 *       that uses it. Each slice of kc columns is two parallel steps: pack A's rows, then the blocks.
 * </ul>
 */
final class PackedGemm {
    static final int NR = 2 * L;
    /** The most rows any micro-kernel takes. */
    static final int MAX_MR = 8;

    /**
     * The most floats of packed A per chunk (8 MiB): at the depths plans use (256 to 2048) 1024 to 8192 rows, so a
     * prefill's A is packed once per depth slice, not once per block of W as a per-thread copy would be.
     */
    static final int PACKED_A_FLOATS = 2 << 20;

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

    /** The calling thread's packed A, which the workers read for the duration of one call. */
    private static final ThreadBuffer PACKED_A = new ThreadBuffer();

    private PackedGemm() {}

    static void multiply(float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff) {
        multiply(GemmPlan.MACHINE, a, aOff, m, w, c, cOff);
    }

    static void multiply(GemmPlan plan, float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff) {
        multiply(plan, chunkRows(plan), a, aOff, m, w, c, cOff);
    }

    /** As above, A packed {@code chunk} rows at a time (a multiple of 24). */
    static void multiply(GemmPlan plan, int chunk, float[] a, int aOff, int m, WeightMatrix w, float[] c, int cOff) {
        int n = w.rows, k = w.cols;
        int panels = (n + NR - 1) / NR;
        int threads = Parallel.threads();
        int perThread = (panels + threads - 1) / threads;
        int blocks = Math.min(panels, threads * ((perThread + plan.blockPanels() - 1) / plan.blockPanels()));
        float[] packedA = PACKED_A.atLeast(Math.min(m, chunk) * plan.kc());
        for (int pc = 0; pc < k; pc += plan.kc()) {
            int kc = Math.min(plan.kc(), k - pc);
            for (int i0 = 0; i0 < m; i0 += chunk) {
                RowTiles rows = new RowTiles(plan.mr(), i0, Math.min(chunk, m - i0), kc);
                int slice = pc;
                Parallel.forRange(rows.tiles(), (from, to) -> {
                    for (int t = from; t < to; t++) {
                        packRows(a, aOff + rows.first(t) * k + slice, k, rows.height(t), kc, packedA, rows.offset(t));
                    }
                });
                Parallel.forRange(blocks, (from, to) -> {
                    Scratch s = Scratch.of(plan);
                    for (int bl = from; bl < to; bl++) {
                        int p0 = (int) ((long) panels * bl / blocks), p1 = (int) ((long) panels * (bl + 1) / blocks);
                        block(a, aOff, k, slice, rows, packedA, w, c, cOff, p0, p1, s);
                    }
                });
            }
        }
    }

    /**
     * Rows of A per chunk of {@link #multiply}'s packed A: as many as fit {@link #PACKED_A_FLOATS} at the plan's
     * depth, a multiple of every tile height.
     */
    static int chunkRows(GemmPlan plan) {
        return Math.max(24, PACKED_A_FLOATS / plan.kc() / 24 * 24);
    }

    /**
     * How rows [i0, i0+count) of A split into micro-kernel tiles: whole tiles of mr, then one of 4 if 4 or more
     * rows are left; the last few (fewer than 4) are single rows that {@link #rowKernel} reads in place. Tile t is
     * packed at {@code offset(t)} of the chunk's buffer.
     */
    record RowTiles(int mr, int i0, int count, int kc) {
        int whole() {
            return count / mr;
        }

        boolean hasFour() {
            return count - whole() * mr >= 4;
        }

        int tiles() {
            return whole() + (hasFour() ? 1 : 0);
        }

        int first(int t) {
            return i0 + t * mr;
        }

        int height(int t) {
            return t < whole() ? mr : 4;
        }

        int offset(int t) {
            return t * mr * kc;
        }

        /** The first row no tile covers. */
        int singles() {
            return i0 + whole() * mr + (hasFour() ? 4 : 0);
        }

        int end() {
            return i0 + count;
        }
    }

    /** C's columns covered by panels [p0, p1), for the rows of one chunk and one depth slice from column pc. */
    private static void block(float[] a, int aOff, int k, int pc, RowTiles rows, float[] packedA, WeightMatrix w,
                              float[] c, int cOff, int p0, int p1, Scratch s) {
        int n = w.rows, kc = rows.kc();
        boolean accumulate = pc > 0;
        for (int p = p0; p < p1; p++) pack(w, p * NR, pc, kc, s.rows, s.packed, (p - p0) * NR * kc);
        for (int t = 0; t < rows.tiles(); t++) {
            int height = rows.height(t), aTile = rows.offset(t), cRow = cOff + rows.first(t) * n;
            for (int p = p0; p < p1; p++) {
                int col = p * NR, bOff = (p - p0) * NR * kc;
                if (col + NR <= n) {
                    tile(height, packedA, aTile, s.packed, bOff, kc, c, cRow + col, n, accumulate);
                } else {
                    partialColumns(height, packedA, aTile, s.packed, bOff, kc, c, cRow + col, n, n - col, accumulate, s.edge);
                }
            }
        }
        for (int i = rows.singles(); i < rows.end(); i++) {
            int aRow = aOff + i * k + pc;
            for (int p = p0; p < p1; p++) {
                int col = p * NR, cols = Math.min(NR, n - col), cTile = cOff + i * n + col;
                if (accumulate) System.arraycopy(c, cTile, s.edge, 0, cols);
                rowKernel(a, aRow, s.packed, (p - p0) * NR * kc, kc, s.edge, 0, accumulate);
                System.arraycopy(s.edge, 0, c, cTile, cols);
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
    private static void partialColumns(int mr, float[] a, int aOff, float[] bp, int bOff, int kc,
                                       float[] c, int cOff, int ldc, int cols, boolean accumulate, float[] edge) {
        for (int r = 0; r < mr; r++) {
            if (accumulate) System.arraycopy(c, cOff + r * ldc, edge, r * NR, cols);
        }
        tile(mr, a, aOff, bp, bOff, kc, edge, 0, NR, accumulate);
        for (int r = 0; r < mr; r++) System.arraycopy(edge, r * NR, c, cOff + r * ldc, cols);
    }

    /**
     * {@code C[0..mr)[0..NR) (+)= A[0..mr)[0..kc) · panel[0..kc)[0..NR)} with the micro-kernel of {@code mr} rows
     * (4, 6 or 8), A's tile packed by {@link #packRows} as [kc][mr], C's rows {@code ldc} apart and the panel packed
     * as [kc][NR].
     */
    static void tile(int mr, float[] a, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
        switch (mr) {
            case 8 -> kernel8(a, aOff, bp, bOff, kc, c, cOff, ldc, accumulate);
            case 6 -> kernel6(a, aOff, bp, bOff, kc, c, cOff, ldc, accumulate);
            case 4 -> kernel4(a, aOff, bp, bOff, kc, c, cOff, ldc, accumulate);
            default -> throw new IllegalArgumentException("no micro-kernel of " + mr + " rows");
        }
    }

    /**
     * {@code tile[k * rows + r] = a[aOff + r * lda + k]}: the rows of A a micro-kernel takes, interleaved so that it
     * reads them as one stream at constant offsets. Read in place, the rows cost the kernel an address register
     * each; with 16 general registers C2 then spills the panel's base, and a Zen 3 core ran the 4-row kernel at
     * 0.65 of its FMA peak instead of 0.95.
     */
    static void packRows(float[] a, int aOff, int lda, int rows, int kc, float[] tile, int tileOff) {
        for (int r = 0; r < rows; r++) {
            for (int k = 0, src = aOff + r * lda, dst = tileOff + r; k < kc; k++, dst += rows) tile[dst] = a[src + k];
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
    private static void kernel8(float[] a, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
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
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        for (int k = 0, b = bOff, i = aOff; k < kc; k++, b += NR, i += 8) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[i]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[i + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[i + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[i + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[i + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[i + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[i + 6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[i + 7]);
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

    /**
     * The 6-row micro-kernel (12 accumulators, 15 live vectors): one of {@code tune}'s candidates with 32 registers;
     * with 16, C2 spills one of its accumulators.
     */
    private static void kernel6(float[] a, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
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
        for (int k = 0, b = bOff, i = aOff; k < kc; k++, b += NR, i += 6) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[i]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[i + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[i + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[i + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[i + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[i + 5]);
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

    /** The 4-row micro-kernel: rows left over by the 6- and 8-row tiles, and the fastest tile on some 16-register CPUs. */
    private static void kernel4(float[] a, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc, boolean accumulate) {
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
        for (int k = 0, b = bOff, i = aOff; k < kc; k++, b += NR, i += 4) {
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[i]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[i + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[i + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[i + 3]);
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
