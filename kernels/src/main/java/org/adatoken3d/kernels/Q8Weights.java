package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.B_QUARTER;
import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.F32_LE;
import static org.adatoken3d.kernels.Simd.I;
import static org.adatoken3d.kernels.Simd.L;
import static org.adatoken3d.kernels.Simd.LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0: each block of {@value #BLOCK} consecutive values of a row is 32 signed bytes and one f32 scale. Quants
 * and scales live in two off-heap segments of their own (freed with this object), rows padded with zeros to
 * whole blocks. Unlike GGML's Q8_0 the scale is f32, not f16: 6% more bytes, but the stated error bound holds
 * for every block, including blocks of tiny values where an f16 scale would be subnormal.
 */
final class Q8Weights extends WeightMatrix {
    static final int BLOCK = 32;
    private final int blocksPerRow;
    private final MemorySegment quants;
    private final MemorySegment scales;

    private Q8Weights(int rows, int cols) {
        super(rows, cols);
        this.blocksPerRow = (cols + BLOCK - 1) / BLOCK;
        Arena arena = Arena.ofAuto();
        this.quants = arena.allocate((long) rows * blocksPerRow * BLOCK, 64);
        this.scales = arena.allocate((long) rows * blocksPerRow * 4, 64);
    }

    static WeightMatrix quantize(WeightMatrix source) {
        if (source instanceof Q8Weights) return source;
        Q8Weights q = new Q8Weights(source.rows, source.cols);
        Parallel.forRange(source.rows, (from, to) -> {
            float[] row = new float[q.blocksPerRow * BLOCK];
            byte[] codes = new byte[row.length];
            for (int r = from; r < to; r++) {
                source.toF32(r, 0, source.cols, row, 0);
                q.quantizeRow(r, row, codes);
            }
        });
        return q;
    }

    /** Row values (zero-padded to whole blocks) → codes and scales of row r; see {@link WeightMatrix#toQ8_0()}. */
    private void quantizeRow(int r, float[] row, byte[] codes) {
        for (int b = 0; b < blocksPerRow; b++) {
            float amax = 0;
            for (int i = b * BLOCK; i < (b + 1) * BLOCK; i++) amax = Math.max(amax, Math.abs(row[i]));
            float d = amax / 127;
            float inverse = d == 0 ? 0 : 1 / d;
            for (int i = b * BLOCK; i < (b + 1) * BLOCK; i++) {
                codes[i] = (byte) Math.clamp(Math.round(row[i] * inverse), -127, 127);
            }
            scales.set(F32_LE, ((long) r * blocksPerRow + b) * 4, d);
        }
        MemorySegment.copy(codes, 0, quants, ValueLayout.JAVA_BYTE, (long) r * blocksPerRow * BLOCK, codes.length);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q8_0;
    }

    @Override
    public long bytes() {
        return quants.byteSize() + scales.byteSize();
    }

    private float scale(int row, int block) {
        return scales.get(F32_LE, ((long) row * blocksPerRow + block) * 4);
    }

    /**
     * Bytes to ints, then ints to floats: on a Zen 1 core this ran the GEMV 10% faster from L2 than the one-step
     * {@code B2F} conversion.
     */
    private static FloatVector widened(MemorySegment codes, long offset) {
        IntVector ints = (IntVector) ByteVector.fromMemorySegment(B_QUARTER, codes, offset, LE).convertShape(VectorOperators.B2I, I, 0);
        return (FloatVector) ints.convert(VectorOperators.I2F, 0);
    }

    /**
     * Whether the GEMV reads a row's codes {@code 4·L} bytes at a time as L ints and takes byte k of every int
     * (sign-extended by two shifts) as its k-th vector of codes, with x put in the matching order by
     * {@link #gemvInput}: one load per four vectors and no lane-crossing widening. On a Zen 3 core (AVX2) the GEMV
     * from memory took 716-754 against 867-1021 us (4096 x 4096, two threads, {@code bench kernels}, alternating
     * runs), and with 128-bit vectors it no longer falls back to scalar code. A load of 16 ints would span two blocks,
     * so AVX-512's 16 lanes keep the widening.
     */
    private static final boolean LANE_LOCAL = L >= 4 && 4 * L <= BLOCK;
    /** Otherwise the GEMV is scalar, on x as it is. */
    private static final boolean VECTOR_GEMV = LANE_LOCAL || B_QUARTER != null;

    /**
     * Codes of the block whose first code is at {@code blockStart} of a row's own segment, as the GEMV multiplies
     * them with {@code x[p .. p + L)} of that block in gemvInput's order. The row's own slice, with int offsets,
     * lets C2 drop most of its range-check arithmetic from the loop.
     */
    private static FloatVector gemvCodes(MemorySegment row, int blockStart, int p) {
        if (!LANE_LOCAL) return widened(row, blockStart + p);
        int span = 4 * L;
        IntVector ints = IntVector.fromMemorySegment(I, row, blockStart + p / span * span, LE);
        int k = p / L % 4;
        return (FloatVector) ints.lanewise(VectorOperators.LSHL, 24 - 8 * k).lanewise(VectorOperators.ASHR, 24)
                .convert(VectorOperators.I2F, 0);
    }

    private MemorySegment rowCodes(int row) {
        long rowBytes = (long) blocksPerRow * BLOCK;
        return quants.asSlice(row * rowBytes, rowBytes);
    }

    @Override
    void toF32(int row, int col, int len, float[] dst, int off) {
        long rowBase = (long) row * blocksPerRow * BLOCK;
        int i = 0;
        if (B_QUARTER != null && col % BLOCK == 0) {
            for (; i + BLOCK <= len; i += BLOCK) {
                FloatVector d = FloatVector.broadcast(F, scale(row, (col + i) / BLOCK));
                for (int p = 0; p < BLOCK; p += L) widened(quants, rowBase + col + i + p).mul(d).intoArray(dst, off + i + p);
            }
        }
        for (; i < len; i++) {
            int c = col + i;
            dst[off + i] = scale(row, c / BLOCK) * quants.get(ValueLayout.JAVA_BYTE, rowBase + c);
        }
    }

    @Override
    int gemvInputLength() {
        return blocksPerRow * BLOCK;
    }

    /**
     * x padded with zeros to whole blocks; with {@link #LANE_LOCAL} codes, in each span of 4·L columns the value of
     * column {@code 4j + k} goes to {@code L·k + j}, the lane where the GEMV finds that column's code.
     */
    @Override
    void gemvInput(float[] x, int xOff, float[] xs, int xsOff) {
        int padded = blocksPerRow * BLOCK;
        if (!LANE_LOCAL) {
            System.arraycopy(x, xOff, xs, xsOff, cols);
            java.util.Arrays.fill(xs, xsOff + cols, xsOff + padded, 0f);
            return;
        }
        for (int span = 0; span < padded; span += 4 * L) {
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < L; j++) {
                    int c = span + 4 * j + k;
                    xs[xsOff + span + L * k + j] = c < cols ? x[xOff + c] : 0f;
                }
            }
        }
    }

    /**
     * Per block: the code·x dot product in a vector, then one FMA with the block's scale. With 32 vector registers
     * four rows share each activation vector; with 16 (AVX2) that loop spills and two rows are faster: on a Zen 1
     * core 6.2 against 3.2 G weights/s from L2 (one thread). Both sum in the same order, so the bits agree.
     */
    @Override
    void gemv(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        if (!VECTOR_GEMV) scalarGemv(x, xOff, y, yOff, rowFrom, rowTo);
        else if (Simd.REGISTERS >= 32) gemvQuarters(x, xOff, y, yOff, rowFrom, rowTo);
        else gemvHalves(x, xOff, y, yOff, rowFrom, rowTo);
    }

    /** Two rows at a time, one from each half of the range, each activation vector loaded once for both. */
    void gemvHalves(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        int h = (rowTo - rowFrom) / 2;
        for (int j = 0; j < h; j++) {
            int r0 = rowFrom + j, r1 = r0 + h;
            MemorySegment w0 = rowCodes(r0), w1 = rowCodes(r1);
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector t0 = FloatVector.zero(F), t1 = t0;
                int c = b * BLOCK;
                for (int p = 0; p < BLOCK; p += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xOff + c + p);
                    t0 = gemvCodes(w0, c, p).fma(xv, t0);
                    t1 = gemvCodes(w1, c, p).fma(xv, t1);
                }
                a0 = t0.fma(FloatVector.broadcast(F, scale(r0, b)), a0);
                a1 = t1.fma(FloatVector.broadcast(F, scale(r1, b)), a1);
            }
            y[yOff + r0] = Simd.sum(a0);
            y[yOff + r1] = Simd.sum(a1);
        }
        if ((rowTo - rowFrom) % 2 != 0) gemvQuarters(x, xOff, y, yOff, rowTo - 1, rowTo);
    }

    /** Four rows at a time, one from each quarter of the range (see {@link F32Weights#gemv}). */
    void gemvQuarters(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        long rowScales = (long) blocksPerRow * 4;
        int q = (rowTo - rowFrom) / 4; // one row from each quarter of the range: see F32Weights.gemv
        for (int j = 0; j < q; j++) {
            int r0 = rowFrom + j, r1 = r0 + q, r2 = r1 + q, r3 = r2 + q;
            MemorySegment w0 = rowCodes(r0), w1 = rowCodes(r1), w2 = rowCodes(r2), w3 = rowCodes(r3);
            long s0 = r0 * rowScales, s1 = r1 * rowScales, s2 = r2 * rowScales, s3 = r3 * rowScales;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
                int c = b * BLOCK;
                for (int p = 0; p < BLOCK; p += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xOff + c + p);
                    t0 = gemvCodes(w0, c, p).fma(xv, t0);
                    t1 = gemvCodes(w1, c, p).fma(xv, t1);
                    t2 = gemvCodes(w2, c, p).fma(xv, t2);
                    t3 = gemvCodes(w3, c, p).fma(xv, t3);
                }
                long sb = b * 4L;
                a0 = t0.fma(FloatVector.broadcast(F, scales.get(F32_LE, s0 + sb)), a0);
                a1 = t1.fma(FloatVector.broadcast(F, scales.get(F32_LE, s1 + sb)), a1);
                a2 = t2.fma(FloatVector.broadcast(F, scales.get(F32_LE, s2 + sb)), a2);
                a3 = t3.fma(FloatVector.broadcast(F, scales.get(F32_LE, s3 + sb)), a3);
            }
            y[yOff + r0] = Simd.sum(a0);
            y[yOff + r1] = Simd.sum(a1);
            y[yOff + r2] = Simd.sum(a2);
            y[yOff + r3] = Simd.sum(a3);
        }
        for (int r = rowFrom + 4 * q; r < rowTo; r++) {
            MemorySegment w = rowCodes(r);
            FloatVector a = FloatVector.zero(F);
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector t = FloatVector.zero(F);
                int c = b * BLOCK;
                for (int p = 0; p < BLOCK; p += L) t = gemvCodes(w, c, p).fma(FloatVector.fromArray(F, x, xOff + c + p), t);
                a = t.fma(FloatVector.broadcast(F, scale(r, b)), a);
            }
            y[yOff + r] = Simd.sum(a);
        }
    }

    /** Each vector of codes is widened once for both activation vectors. */
    @Override
    void gemv2(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int x1 = xOff + stride;
        if (!VECTOR_GEMV) {
            scalarGemv(x, xOff, y, yOff, rowFrom, rowTo);
            scalarGemv(x, x1, y, yOff + ldy, rowFrom, rowTo);
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            MemorySegment row = rowCodes(r);
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector t0 = FloatVector.zero(F), t1 = t0;
                int c = b * BLOCK;
                for (int p = 0; p < BLOCK; p += L) {
                    FloatVector w = gemvCodes(row, c, p);
                    t0 = w.fma(FloatVector.fromArray(F, x, xOff + c + p), t0);
                    t1 = w.fma(FloatVector.fromArray(F, x, x1 + c + p), t1);
                }
                FloatVector d = FloatVector.broadcast(F, scale(r, b));
                a0 = t0.fma(d, a0);
                a1 = t1.fma(d, a1);
            }
            y[yOff + r] = Simd.sum(a0);
            y[yOff + ldy + r] = Simd.sum(a1);
        }
    }

    @Override
    void gemv3(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int x1 = xOff + stride, x2 = x1 + stride;
        if (!VECTOR_GEMV) {
            gemv2(x, xOff, stride, y, yOff, ldy, rowFrom, rowTo);
            scalarGemv(x, x2, y, yOff + 2 * ldy, rowFrom, rowTo);
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            MemorySegment row = rowCodes(r);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0;
                int c = b * BLOCK;
                for (int p = 0; p < BLOCK; p += L) {
                    FloatVector w = gemvCodes(row, c, p);
                    t0 = w.fma(FloatVector.fromArray(F, x, xOff + c + p), t0);
                    t1 = w.fma(FloatVector.fromArray(F, x, x1 + c + p), t1);
                    t2 = w.fma(FloatVector.fromArray(F, x, x2 + c + p), t2);
                }
                FloatVector d = FloatVector.broadcast(F, scale(r, b));
                a0 = t0.fma(d, a0);
                a1 = t1.fma(d, a1);
                a2 = t2.fma(d, a2);
            }
            y[yOff + r] = Simd.sum(a0);
            y[yOff + ldy + r] = Simd.sum(a1);
            y[yOff + 2 * ldy + r] = Simd.sum(a2);
        }
    }

    @Override
    void gemv4(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int x1 = xOff + stride, x2 = x1 + stride, x3 = x2 + stride;
        if (!VECTOR_GEMV) {
            gemv2(x, xOff, stride, y, yOff, ldy, rowFrom, rowTo);
            gemv2(x, x2, stride, y, yOff + 2 * ldy, ldy, rowFrom, rowTo);
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            MemorySegment row = rowCodes(r);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
                int c = b * BLOCK;
                for (int p = 0; p < BLOCK; p += L) {
                    FloatVector w = gemvCodes(row, c, p);
                    t0 = w.fma(FloatVector.fromArray(F, x, xOff + c + p), t0);
                    t1 = w.fma(FloatVector.fromArray(F, x, x1 + c + p), t1);
                    t2 = w.fma(FloatVector.fromArray(F, x, x2 + c + p), t2);
                    t3 = w.fma(FloatVector.fromArray(F, x, x3 + c + p), t3);
                }
                FloatVector d = FloatVector.broadcast(F, scale(r, b));
                a0 = t0.fma(d, a0);
                a1 = t1.fma(d, a1);
                a2 = t2.fma(d, a2);
                a3 = t3.fma(d, a3);
            }
            y[yOff + r] = Simd.sum(a0);
            y[yOff + ldy + r] = Simd.sum(a1);
            y[yOff + 2 * ldy + r] = Simd.sum(a2);
            y[yOff + 3 * ldy + r] = Simd.sum(a3);
        }
    }

    private void scalarGemv(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            float s = 0;
            long base = (long) r * blocksPerRow * BLOCK;
            for (int b = 0; b < blocksPerRow; b++) {
                float t = 0;
                for (int i = 0; i < BLOCK; i++) t += quants.get(ValueLayout.JAVA_BYTE, base + b * BLOCK + i) * x[xOff + b * BLOCK + i];
                s += t * scale(r, b);
            }
            y[yOff + r] = s;
        }
    }
}
