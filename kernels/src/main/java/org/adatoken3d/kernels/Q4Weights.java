package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.B_QUARTER;
import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.I;
import static org.adatoken3d.kernels.Simd.I16_LE;
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
 * Q4_0: 4-bit codes in blocks of {@value #BLOCK} consecutive values of a row, one bfloat16 scale per block, 4.5 bits
 * per weight. Laid out as two tensors, so that a safetensors file holds them as they are and a loader maps them:
 *
 * <table>
 *   <caption>Q4_0 of a weight {@code W[rows][cols]}, blocks = ceil(cols / 32)</caption>
 *   <tr><th>tensor</th><th>dtype</th><th>shape</th><th>contents</th></tr>
 *   <tr><td>codes</td><td>U8</td><td>[rows, blocks·16]</td><td>16 bytes per block, blocks in row order; byte j of
 *       block b holds the code of column 32b + j in its low nibble and of column 32b + j + 16 in its high nibble</td></tr>
 *   <tr><td>scales</td><td>BF16</td><td>[rows, blocks]</td><td>the scale d of each block</td></tr>
 * </table>
 *
 * A code q stands for {@code (q − 8)·d}; columns past {@code cols} in a row's last block have code 8 (zero).
 *
 * <p>Quantisation: with m the block's value of largest magnitude, {@code d = m / −8} rounded to bfloat16 away from
 * zero (so |d| ≥ |m|/8 and |d| ≤ (|m|/8)(1 + 2⁻⁷)), and {@code q = clamp(round(w / d) + 8, 0, 15)}: m itself is
 * exact (code 0) and w/d lies in [−8, 8]. Every value is within |d|/2 ≤ (amax/16)(1 + 2⁻⁷) of the original except
 * those beyond 7.5·|d| on the side opposite to m, where the top code 15 clamps: within |d| ≤ (amax/8)(1 + 2⁻⁷).
 * This is GGML's Q4_0 mapping with a bfloat16 scale in place of f16 (same size): f16 scales of blocks of small
 * weights are subnormal and lose the bound, bfloat16 keeps f32's range.
 */
public final class Q4Weights extends WeightMatrix {
    static final int BLOCK = 32;
    /** Bytes of codes per block. */
    static final int BLOCK_BYTES = BLOCK / 2;
    private final int blocksPerRow;
    private final MemorySegment codes;
    private final MemorySegment scales;

    private Q4Weights(MemorySegment codes, MemorySegment scales, int rows, int cols) {
        super(rows, cols);
        this.blocksPerRow = blocks(cols);
        this.codes = codes;
        this.scales = scales;
    }

    static int blocks(int cols) {
        return (cols + BLOCK - 1) / BLOCK;
    }

    /**
     * Wraps the two tensors of the layout above (little-endian, typically slices of a mapped safetensors file) as a
     * {@code rows × cols} matrix; read, never written or copied. They must be readable from other threads.
     */
    public static Q4Weights of(MemorySegment codes, MemorySegment scales, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("Q4_0 matrix must have at least one row and column, got " + rows + " x " + cols);
        }
        long blocks = (long) rows * blocks(cols);
        if (codes.byteSize() != blocks * BLOCK_BYTES) {
            throw new IllegalArgumentException("Q4_0 codes of a " + rows + " x " + cols + " matrix are U8 [" + rows + ", " + blocks(cols) * BLOCK_BYTES
                    + "] (" + blocks * BLOCK_BYTES + " bytes), the segment holds " + codes.byteSize());
        }
        if (scales.byteSize() != blocks * 2) {
            throw new IllegalArgumentException("Q4_0 scales of a " + rows + " x " + cols + " matrix are BF16 [" + rows + ", " + blocks(cols)
                    + "] (" + blocks * 2 + " bytes), the segment holds " + scales.byteSize());
        }
        requireShared(codes);
        requireShared(scales);
        return new Q4Weights(codes, scales, rows, cols);
    }

    static WeightMatrix quantize(WeightMatrix source) {
        if (source instanceof Q4Weights) return source;
        int blocks = blocks(source.cols);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate((long) source.rows * blocks * BLOCK_BYTES, 64);
        MemorySegment scales = arena.allocate((long) source.rows * blocks * 2, 64);
        Parallel.forRange(source.rows, (from, to) -> {
            float[] row = new float[blocks * BLOCK];
            byte[] packed = new byte[blocks * BLOCK_BYTES];
            for (int r = from; r < to; r++) {
                source.toF32(r, 0, source.cols, row, 0);
                for (int b = 0; b < blocks; b++) {
                    short d = quantizeBlock(row, b * BLOCK, packed, b * BLOCK_BYTES);
                    scales.set(I16_LE, ((long) r * blocks + b) * 2, d);
                }
                MemorySegment.copy(packed, 0, codes, ValueLayout.JAVA_BYTE, (long) r * blocks * BLOCK_BYTES, packed.length);
            }
        });
        return new Q4Weights(codes, scales, source.rows, source.cols);
    }

    /** The 32 values at {@code v[off ..]} → 16 code bytes at {@code out[outOff ..]}; returns the bf16 scale. */
    static short quantizeBlock(float[] v, int off, byte[] out, int outOff) {
        float m = 0;
        for (int i = off; i < off + BLOCK; i++) {
            if (Math.abs(v[i]) > Math.abs(m)) m = v[i];
        }
        float d = scaleFor(m);
        for (int j = 0; j < BLOCK_BYTES; j++) {
            int lo = code(v[off + j], d), hi = code(v[off + j + BLOCK_BYTES], d);
            out[outOff + j] = (byte) (lo | hi << 4);
        }
        return (short) (Float.floatToRawIntBits(d) >>> 16);
    }

    /** m / −8 rounded to bfloat16 away from zero; 0 for an all-zero block. */
    static float scaleFor(float m) {
        if (m == 0) return 0;
        if (!Float.isFinite(m)) throw new IllegalArgumentException("cannot quantise a block holding " + m + " to Q4_0");
        int bits = Float.floatToRawIntBits(m / -8f);
        if ((bits & 0xFFFF) != 0) bits += 0x10000;
        float d = Float.intBitsToFloat(bits & 0xFFFF0000);
        // m / -8 is inexact only for subnormal m: step once more so that 8·|d| ≥ |m| holds there too.
        if (8 * Math.abs(d) < Math.abs(m)) d = Float.intBitsToFloat(Float.floatToRawIntBits(d) + 0x10000);
        return d;
    }

    private static int code(float w, float d) {
        return d == 0 ? 8 : Math.clamp(Math.round(w / d) + 8, 0, 15);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q4_0;
    }

    /** The codes tensor of the layout above: U8 {@code [rows, ceil(cols/32)·16]}. */
    public MemorySegment codes() {
        return codes;
    }

    /** The scales tensor of the layout above: BF16 {@code [rows, ceil(cols/32)]}. */
    public MemorySegment scales() {
        return scales;
    }

    @Override
    public long bytes() {
        return codes.byteSize() + scales.byteSize();
    }

    private float scale(int row, int block) {
        return Bf16Weights.toFloat(scales.get(I16_LE, ((long) row * blocksPerRow + block) * 2));
    }

    /** The code of column c of a row whose codes start at {@code rowBase}. */
    private int codeAt(long rowBase, int c) {
        int inBlock = c % BLOCK;
        byte b = codes.get(ValueLayout.JAVA_BYTE, rowBase + (long) (c / BLOCK) * BLOCK_BYTES + inBlock % BLOCK_BYTES);
        return inBlock < BLOCK_BYTES ? b & 0xF : (b >> 4) & 0xF;
    }

    /** L code bytes from {@code offset}, zero-extended to int lanes: each lane holds a low and a high code. */
    private IntVector codeBytes(long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B_QUARTER, codes, offset, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    private static FloatVector low(IntVector bytes) {
        return (FloatVector) bytes.and(0xF).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector bytes) {
        return (FloatVector) bytes.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
    }

    @Override
    void toF32(int row, int col, int len, float[] dst, int off) {
        long rowBase = (long) row * blocksPerRow * BLOCK_BYTES;
        int i = 0;
        if (B_QUARTER != null && L <= BLOCK_BYTES && col % BLOCK == 0) {
            for (; i + BLOCK <= len; i += BLOCK) {
                int b = (col + i) / BLOCK;
                float d = scale(row, b);
                FloatVector eight = FloatVector.broadcast(F, 8f);
                long base = rowBase + (long) b * BLOCK_BYTES;
                for (int p = 0; p < BLOCK_BYTES; p += L) {
                    IntVector v = codeBytes(base + p);
                    low(v).sub(eight).mul(d).intoArray(dst, off + i + p);
                    high(v).sub(eight).mul(d).intoArray(dst, off + i + BLOCK_BYTES + p);
                }
            }
        }
        for (; i < len; i++) {
            int c = col + i;
            dst[off + i] = (codeAt(rowBase, c) - 8) * scale(row, c / BLOCK);
        }
    }

    /** x padded with zeros to whole blocks, then the sum of each block of x (for the −8 of every code). */
    @Override
    int gemvInputLength() {
        return blocksPerRow * BLOCK + blocksPerRow;
    }

    @Override
    void gemvInput(float[] x, int xOff, float[] xs, int xsOff) {
        int padded = blocksPerRow * BLOCK;
        System.arraycopy(x, xOff, xs, xsOff, cols);
        java.util.Arrays.fill(xs, xsOff + cols, xsOff + padded, 0f);
        for (int b = 0; b < blocksPerRow; b++) {
            float s = 0;
            for (int i = b * BLOCK; i < (b + 1) * BLOCK; i++) s += xs[xsOff + i];
            xs[xsOff + padded + b] = s;
        }
    }

    /**
     * Per block: Σ q·x over its 32 codes in vectors (low and high codes in separate chains), then
     * {@code acc += d · Σ q·x} and, in a scalar, {@code d · Σx}, of which 8 times is taken off at the end:
     * {@code Σ (q − 8)·d·x = d·Σ q·x − 8·d·Σx} saves a subtraction per code. Two rows share each x vector, one from
     * each half of the range (see F32Weights.gemv); four rows made the method too large for C2 to inline the vector
     * operations, and it ran 5 times slower.
     */
    @Override
    void gemv(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        if (B_QUARTER == null || L > BLOCK_BYTES) {
            scalarGemv(x, xOff, y, yOff, rowFrom, rowTo);
            return;
        }
        int sums = xOff + blocksPerRow * BLOCK;
        long rowBytes = (long) blocksPerRow * BLOCK_BYTES;
        int half = (rowTo - rowFrom) / 2;
        for (int j = 0; j < half; j++) {
            int r0 = rowFrom + j, r1 = r0 + half;
            long o0 = r0 * rowBytes, o1 = r1 * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            float s0 = 0, s1 = 0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector l0 = FloatVector.zero(F), h0 = l0, l1 = l0, h1 = l0;
                int c = xOff + b * BLOCK;
                long cb = (long) b * BLOCK_BYTES;
                for (int p = 0; p < BLOCK_BYTES; p += L) {
                    FloatVector xl = FloatVector.fromArray(F, x, c + p), xh = FloatVector.fromArray(F, x, c + BLOCK_BYTES + p);
                    IntVector v0 = codeBytes(o0 + cb + p), v1 = codeBytes(o1 + cb + p);
                    l0 = low(v0).fma(xl, l0);
                    h0 = high(v0).fma(xh, h0);
                    l1 = low(v1).fma(xl, l1);
                    h1 = high(v1).fma(xh, h1);
                }
                float xs = x[sums + b];
                float d0 = scale(r0, b), d1 = scale(r1, b);
                a0 = l0.add(h0).fma(FloatVector.broadcast(F, d0), a0);
                a1 = l1.add(h1).fma(FloatVector.broadcast(F, d1), a1);
                s0 += d0 * xs;
                s1 += d1 * xs;
            }
            y[yOff + r0] = Simd.sum(a0) - 8 * s0;
            y[yOff + r1] = Simd.sum(a1) - 8 * s1;
        }
        for (int r = rowFrom + 2 * half; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector a = FloatVector.zero(F);
            float s = 0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector lo = FloatVector.zero(F), hi = lo;
                int c = xOff + b * BLOCK;
                for (int p = 0; p < BLOCK_BYTES; p += L) {
                    IntVector v = codeBytes(o + (long) b * BLOCK_BYTES + p);
                    lo = low(v).fma(FloatVector.fromArray(F, x, c + p), lo);
                    hi = high(v).fma(FloatVector.fromArray(F, x, c + BLOCK_BYTES + p), hi);
                }
                float d = scale(r, b);
                a = lo.add(hi).fma(FloatVector.broadcast(F, d), a);
                s += d * x[sums + b];
            }
            y[yOff + r] = Simd.sum(a) - 8 * s;
        }
    }

    /** One row of codes, widened once, for two activation vectors: the same chains as {@link #gemv}, per vector. */
    @Override
    void gemv2(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int x1 = xOff + stride;
        if (B_QUARTER == null || L > BLOCK_BYTES) {
            scalarGemv(x, xOff, y, yOff, rowFrom, rowTo);
            scalarGemv(x, x1, y, yOff + ldy, rowFrom, rowTo);
            return;
        }
        int padded = blocksPerRow * BLOCK;
        long rowBytes = (long) blocksPerRow * BLOCK_BYTES;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            float s0 = 0, s1 = 0;
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector l0 = FloatVector.zero(F), h0 = l0, l1 = l0, h1 = l0;
                int c0 = xOff + b * BLOCK, c1 = x1 + b * BLOCK;
                long cb = o + (long) b * BLOCK_BYTES;
                for (int p = 0; p < BLOCK_BYTES; p += L) {
                    IntVector v = codeBytes(cb + p);
                    FloatVector lo = low(v), hi = high(v);
                    l0 = lo.fma(FloatVector.fromArray(F, x, c0 + p), l0);
                    h0 = hi.fma(FloatVector.fromArray(F, x, c0 + BLOCK_BYTES + p), h0);
                    l1 = lo.fma(FloatVector.fromArray(F, x, c1 + p), l1);
                    h1 = hi.fma(FloatVector.fromArray(F, x, c1 + BLOCK_BYTES + p), h1);
                }
                float d = scale(r, b);
                FloatVector dv = FloatVector.broadcast(F, d);
                a0 = l0.add(h0).fma(dv, a0);
                a1 = l1.add(h1).fma(dv, a1);
                s0 += d * x[xOff + padded + b];
                s1 += d * x[x1 + padded + b];
            }
            y[yOff + r] = Simd.sum(a0) - 8 * s0;
            y[yOff + ldy + r] = Simd.sum(a1) - 8 * s1;
        }
    }

    /**
     * {@link #gemv2} and {@link #gemv}: more vectors' chains in one loop would be as large as the four-row GEMV that
     * C2 failed to compile well (see {@link #gemv}); {@link #gemvRows} hands this a block of rows small enough that
     * the second pass reads its codes from L2.
     */
    @Override
    void gemv3(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        gemv2(x, xOff, stride, y, yOff, ldy, rowFrom, rowTo);
        gemv(x, xOff + 2 * stride, y, yOff + 2 * ldy, rowFrom, rowTo);
    }

    /** Two passes of {@link #gemv2}, for the reason given at {@link #gemv3}. */
    @Override
    void gemv4(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        gemv2(x, xOff, stride, y, yOff, ldy, rowFrom, rowTo);
        gemv2(x, xOff + 2 * stride, stride, y, yOff + 2 * ldy, ldy, rowFrom, rowTo);
    }

    private void scalarGemv(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            long base = (long) r * blocksPerRow * BLOCK_BYTES;
            float s = 0;
            for (int b = 0; b < blocksPerRow; b++) {
                float t = 0;
                for (int i = b * BLOCK; i < (b + 1) * BLOCK; i++) t += (codeAt(base, i) - 8) * x[xOff + i];
                s += t * scale(r, b);
            }
            y[yOff + r] = s;
        }
    }
}
