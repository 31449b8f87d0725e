package org.adatoken3d.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix W[rows][cols], row-major, as checkpoints store it (a linear layer's {@code [out, in]}), in its
 * stored format. Kernels read it straight from its segment and convert to f32 in registers.
 *
 * <p>One subclass per format, each with its own vectorised row conversion and GEMV loop: the hot loops must be
 * monomorphic for the JIT to keep vectors in registers.
 */
public abstract sealed class WeightMatrix permits F32Weights, F16Weights, Bf16Weights, Q8Weights, Q4Weights {
    /** Stands for the pool's workers when checking that a segment is readable from threads other than its owner. */
    private static final Thread ANY_OTHER_THREAD = Thread.ofPlatform().unstarted(() -> {});

    final int rows;
    final int cols;

    WeightMatrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * Wraps {@code data} (little-endian, any alignment, typically a slice of a mapped checkpoint) as a
     * {@code rows × cols} matrix. The segment must hold exactly {@code rows * cols} elements of {@code format};
     * it is read, never written, and never copied. The kernels read it from their worker threads, so it must
     * come from a shared, global or automatic arena (as {@code FileChannel.map} segments do), not a confined one.
     */
    public static WeightMatrix of(MemorySegment data, WeightFormat format, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("weight matrix must have at least one row and column, got " + rows + " x " + cols);
        }
        if (format == WeightFormat.Q8_0) {
            throw new IllegalArgumentException("Q8_0 weights are made at load time with toQ8_0(), not read from a segment");
        }
        if (format == WeightFormat.Q4_0) {
            throw new IllegalArgumentException("Q4_0 weights are two tensors (codes and scales): read them with Q4Weights.of");
        }
        long expected = (long) rows * cols * format.elementBytes();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " " + format + " matrix needs " + expected
                    + " bytes, the segment holds " + data.byteSize());
        }
        requireShared(data);
        return switch (format) {
            case F32 -> new F32Weights(data, rows, cols);
            case F16 -> new F16Weights(data, rows, cols);
            case BF16 -> new Bf16Weights(data, rows, cols);
            case Q8_0, Q4_0 -> throw new AssertionError();
        };
    }

    /** The kernels read weights from their worker threads: a segment confined to one thread would fail there. */
    static void requireShared(MemorySegment data) {
        if (!data.isAccessibleBy(ANY_OTHER_THREAD)) {
            throw new IllegalArgumentException("weight segment is confined to one thread; map or allocate it in a shared arena");
        }
    }

    /** N: the number of rows, i.e. of outputs of {@code x · Wᵀ}. */
    public final int rows() {
        return rows;
    }

    /** K: the number of columns, i.e. of inputs. */
    public final int cols() {
        return cols;
    }

    public abstract WeightFormat format();

    /**
     * The stored elements, little-endian and row-major, for backends that copy weights to an accelerator once.
     * Q8_0 and Q4_0 matrices have no such single segment (Q4_0's two are {@link Q4Weights#codes()} and
     * {@link Q4Weights#scales()}) and throw.
     */
    public MemorySegment data() {
        throw new UnsupportedOperationException(format() + " weights have no single stored segment to copy; only F32, F16 and BF16 do");
    }

    /** The bytes a full pass over this matrix reads (what GEMV bandwidth is measured against). */
    public abstract long bytes();

    /**
     * This matrix quantised to {@link WeightFormat#Q8_0} in off-heap memory of its own (this matrix itself if it
     * already is). Each block of 32 consecutive values of a row is stored as 32 signed bytes {@code q} and one f32
     * scale {@code d = max|w| / 127}, {@code q = round(w / d)}; so every value is reconstructed within
     * {@code d / 2 = max|w| / 254} of the original, a relative error of at most 1/254 of its block's largest value.
     */
    public WeightMatrix toQ8_0() {
        return Q8Weights.quantize(this);
    }

    /**
     * This matrix quantised to {@link WeightFormat#Q4_0} in off-heap memory of its own (this matrix itself if it
     * already is): 32 values per block, 4-bit codes and a bfloat16 scale; the layout and error bound are in
     * {@link Q4Weights}. A Q8_0 matrix is quantised from its already rounded values.
     */
    public WeightMatrix toQ4_0() {
        return Q4Weights.quantize(this);
    }

    /** Writes row {@code r} converted to f32 into {@code dst[dstOffset .. dstOffset + cols)}: embedding lookup. */
    public final void row(int r, float[] dst, int dstOffset) {
        if (r < 0 || r >= rows) throw new IllegalArgumentException("row " + r + " is outside [0, " + rows + ")");
        if (dstOffset < 0 || dstOffset > dst.length - cols) {
            throw new IllegalArgumentException("row of " + cols + " values does not fit at " + dstOffset + " in an array of " + dst.length);
        }
        toF32(r, 0, cols, dst, dstOffset);
    }

    /** Converts {@code W[row][col .. col + len)} to f32 into {@code dst[off ..]}; bounds are the caller's duty. */
    abstract void toF32(int row, int col, int len, float[] dst, int off);

    /**
     * Fills {@code xs[xsOff .. xsOff + cols)} (or more) with the activation vector {@code x[xOff .. xOff + cols)} in
     * the layout this format's {@link #gemv} reads; {@code xs} has room for {@link #gemvInputLength()} values there.
     */
    void gemvInput(float[] x, int xOff, float[] xs, int xsOff) {
        System.arraycopy(x, xOff, xs, xsOff, cols);
    }

    int gemvInputLength() {
        return cols;
    }

    /**
     * The activation layout of the 16-bit formats' GEMV, which reads weight pairs as ints: the low half of int
     * lane i is element 2i, the high half element 2i+1 (little-endian), so two cheap ops split a vector of pairs
     * into the even and the odd elements. x is laid out to match: per block of 2·L values, the even-indexed ones
     * first, then the odd ones; the tail past the last whole block stays in place.
     */
    static void deinterleavePairs(float[] x, int xOff, float[] xs, int xsOff, int cols) {
        int lanes = Simd.L, block = 2 * lanes;
        int blocks = cols / block;
        for (int b = 0; b < blocks; b++) {
            int s = xOff + b * block, d = xsOff + b * block;
            for (int i = 0; i < lanes; i++) {
                xs[d + i] = x[s + 2 * i];
                xs[d + lanes + i] = x[s + 2 * i + 1];
            }
        }
        System.arraycopy(x, xOff + blocks * block, xs, xsOff + blocks * block, cols - blocks * block);
    }

    /**
     * {@code y[yOff + r] = W[r] · x} for rows {@code r} in {@code [rowFrom, rowTo)}, x prepared by {@link #gemvInput}
     * at {@code xs[xOff ..]}.
     */
    abstract void gemv(float[] xs, int xOff, float[] y, int yOff, int rowFrom, int rowTo);

    /**
     * As {@link #gemv} for two activation vectors at once, {@code xs[xOff ..]} and {@code xs[xOff + stride ..]}, into
     * {@code y[yOff + r]} and {@code y[yOff + ldy + r]}: each weight vector is loaded and converted once and used
     * for both. Each output is summed in exactly the order {@link #gemv} sums it, so it has the same bits.
     */
    abstract void gemv2(float[] xs, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo);

    /** As {@link #gemv2} for three activation vectors, {@code stride} apart in xs and {@code ldy} apart in y. */
    abstract void gemv3(float[] xs, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo);

    /** As {@link #gemv2} for four activation vectors. */
    abstract void gemv4(float[] xs, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo);

    /**
     * {@code y[yOff + b·ldy + r] = W[r] · x_b} for {@code m} activation vectors {@code x_b = xs[b·stride ..]} (each
     * prepared by {@link #gemvInput}) and rows r in {@code [rowFrom, rowTo)}: the batched decoding step of a server.
     *
     * <p>The weights are the memory traffic, so each weight row should come from memory once for all m vectors. The
     * kernels take up to 4 vectors per pass (more accumulators than that do not fit the registers of AVX2); so the
     * rows are walked in blocks of about {@link #GEMV_BLOCK_BYTES}, and every pass after a block's first finds its
     * weights in L2. Every output has the bits {@link #gemv} gives its vector alone: a batch of sequences decodes
     * exactly as each would on its own.
     */
    final void gemvRows(float[] xs, int stride, int m, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int block = (int) Math.clamp(GEMV_BLOCK_BYTES / Math.max(1, bytes() / rows), 1, Integer.MAX_VALUE);
        for (int r0 = rowFrom; r0 < rowTo; r0 += block) {
            int r1 = Math.min(rowTo, r0 + block);
            int b = 0;
            for (; m - b >= 4; b += 4) gemv4(xs, b * stride, stride, y, yOff + b * ldy, ldy, r0, r1);
            switch (m - b) {
                case 3 -> gemv3(xs, b * stride, stride, y, yOff + b * ldy, ldy, r0, r1);
                case 2 -> gemv2(xs, b * stride, stride, y, yOff + b * ldy, ldy, r0, r1);
                case 1 -> gemv(xs, b * stride, y, yOff + b * ldy, r0, r1);
                default -> { }
            }
        }
    }

    /** The weights one pass of {@link #gemvRows} covers before the next group of vectors reuses them: a quarter of L2. */
    static final long GEMV_BLOCK_BYTES = Math.max(32 << 10, CpuCaches.MACHINE.l2() / 4);

    @Override
    public String toString() {
        return format() + "[" + rows + " x " + cols + "]";
    }
}
