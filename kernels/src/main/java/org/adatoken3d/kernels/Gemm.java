package org.adatoken3d.kernels;

/**
 * Linear layers: {@code C[m×N] = A[m×K] · Wᵀ} with W stored {@code [N][K]} (a checkpoint's {@code [out, in]}),
 * A and C f32 row-major. Accumulation is f32.
 *
 * <p>One or two rows of A (decoding) are a memory-bandwidth problem: each W row is streamed once per A row
 * through the format's GEMV loop, rows of W split over the threads. More rows are an arithmetic problem: see
 * {@link PackedGemm}.
 */
public final class Gemm {
    /** Up to this many rows of A, streaming W once per row beats packing it. */
    static final int MAX_GEMV_ROWS = 2;

    private static final ThreadLocal<float[]> GEMV_INPUT = ThreadLocal.withInitial(() -> new float[0]);

    private Gemm() {}

    /**
     * What the kernels chose for this machine, for benchmark reports: e.g. "256-bit vectors, 16 registers;
     * GEMM 6x16 tile, kc 256, 16 panels per block; L1d 32 KiB, L2 512 KiB (/sys/devices/system/cpu/cpu0/cache)".
     */
    public static String machineDescription() {
        CpuCaches caches = CpuCaches.MACHINE;
        return Simd.F.vectorBitSize() + "-bit vectors, " + Simd.REGISTERS + " registers; GEMM " + GemmPlan.MACHINE + "; L1d "
                + (caches.l1d() >> 10) + " KiB, L2 " + (caches.l2() >> 10) + " KiB (" + caches.source() + ")";
    }

    /** {@code c[m][N] = a[m][K] · Wᵀ}; c is overwritten. */
    public static void multiply(float[] a, int m, WeightMatrix w, float[] c) {
        multiply(a, 0, m, w, c, 0);
    }

    /** As {@link #multiply(float[], int, WeightMatrix, float[])} with A starting at {@code aOffset}, C at {@code cOffset}. */
    public static void multiply(float[] a, int aOffset, int m, WeightMatrix w, float[] c, int cOffset) {
        int n = w.rows(), k = w.cols();
        if (m < 0) throw new IllegalArgumentException("row count must be non-negative, got " + m);
        if (aOffset < 0 || (long) aOffset + (long) m * k > a.length) {
            throw new IllegalArgumentException("A needs " + m + " x " + k + " values from offset " + aOffset + ", has " + a.length);
        }
        if (cOffset < 0 || (long) cOffset + (long) m * n > c.length) {
            throw new IllegalArgumentException("C needs " + m + " x " + n + " values from offset " + cOffset + ", has " + c.length);
        }
        if (m == 0) return;
        if (m <= MAX_GEMV_ROWS) {
            for (int r = 0; r < m; r++) gemv(a, aOffset + r * k, w, c, cOffset + r * n);
        } else {
            PackedGemm.multiply(a, aOffset, m, w, c, cOffset);
        }
    }

    private static void gemv(float[] x, int xOff, WeightMatrix w, float[] y, int yOff) {
        float[] xs = GEMV_INPUT.get();
        if (xs.length < w.gemvInputLength()) {
            xs = new float[w.gemvInputLength()];
            GEMV_INPUT.set(xs);
        }
        w.gemvInput(x, xOff, xs);
        float[] input = xs;
        Parallel.forRange(w.rows(), (from, to) -> w.gemv(input, y, yOff, from, to));
    }
}
