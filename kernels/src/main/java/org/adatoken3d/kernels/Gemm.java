package org.adatoken3d.kernels;

/**
 * Linear layers: {@code C[m×N] = A[m×K] · Wᵀ} with W stored {@code [N][K]} (a checkpoint's {@code [out, in]}),
 * A and C f32 row-major. Accumulation is f32.
 *
 * <p>Up to {@link #MAX_GEMV_ROWS} rows of A (decoding one sequence, or a server's batch of them) are a
 * memory-bandwidth problem: the format's GEMV loops stream each W row from memory once and apply it to every row
 * of A ({@link WeightMatrix#gemvRows}), rows of W split over the threads. More rows are an arithmetic problem: see
 * {@link PackedGemm}.
 */
public final class Gemm {
    /**
     * Up to this many rows of A, streaming W through the GEMV loops beats packing it: packing converts and transposes
     * all of W once per call, which costs as much as the arithmetic of a few rows.
     */
    public static final int MAX_GEMV_ROWS = 8;

    private static final ThreadBuffer GEMV_INPUT = new ThreadBuffer();

    private Gemm() {}

    /**
     * What the kernels chose for this machine, for benchmark reports: e.g. "256-bit vectors, 16 registers;
     * GEMM 4x16 tile, kc 512, 8 panels per block (derived); L1d 32 KiB, L2 512 KiB (/sys/devices/system/cpu/cpu0/cache)".
     */
    public static String machineDescription() {
        CpuCaches caches = CpuCaches.MACHINE;
        return Simd.F.vectorBitSize() + "-bit vectors, " + Simd.REGISTERS + " registers; GEMM " + GemmPlan.MACHINE + " (" + GemmPlan.MACHINE_SOURCE + "); L1d "
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
            gemv(a, aOffset, m, w, c, cOffset);
        } else {
            PackedGemm.multiply(a, aOffset, m, w, c, cOffset);
        }
    }

    /** The m rows of x laid out for the format's GEMV, each at a multiple of 16 floats, then every W row applied to all of them. */
    private static void gemv(float[] x, int xOff, int m, WeightMatrix w, float[] y, int yOff) {
        int k = w.cols(), n = w.rows();
        int stride = (w.gemvInputLength() + 15) & ~15;
        float[] xs = GEMV_INPUT.atLeast(m * stride);
        for (int r = 0; r < m; r++) w.gemvInput(x, xOff + r * k, xs, r * stride);
        float[] input = xs;
        if (m == 1) Parallel.forRange(n, (from, to) -> w.gemv(input, 0, y, yOff, from, to));
        else Parallel.forRange(n, (from, to) -> w.gemvRows(input, stride, m, y, yOff, n, from, to));
    }
}
