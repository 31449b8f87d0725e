package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.I;
import static org.adatoken3d.kernels.Simd.I16_LE;
import static org.adatoken3d.kernels.Simd.L;
import static org.adatoken3d.kernels.Simd.LE;
import static org.adatoken3d.kernels.Simd.S_HALF;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** IEEE binary16 weights read in place. */
final class F16Weights extends WeightMatrix {
    private static final float TWO_POW_112 = 0x1p112f;
    private final MemorySegment data;

    F16Weights(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        this.data = data;
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.F16;
    }

    @Override
    public MemorySegment data() {
        return data;
    }

    @Override
    public long bytes() {
        return (long) rows * cols * 2;
    }

    /**
     * binary16 → binary32 for the half-float bit patterns in the low 16 bits of each lane. Shifting exponent
     * and mantissa up by 13 bits gives a float 2^112 times too small for normals and subnormals alike, so one exact
     * multiply rebases both; only infinities and NaNs (exponent all ones) need their exponent forced to all ones.
     */
    static FloatVector halfToFloat(IntVector h) {
        IntVector shifted = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        FloatVector value = shifted.reinterpretAsFloats().mul(TWO_POW_112);
        VectorMask<Float> special = value.compare(VectorOperators.GE, 65536f); // beyond the largest finite half
        IntVector sign = h.lanewise(VectorOperators.LSHL, 16).and(0x80000000);
        return value.reinterpretAsInts().or(sign).blend(shifted.or(sign).or(0x7F800000), special.cast(Simd.I)).reinterpretAsFloats();
    }

    @Override
    void toF32(int row, int col, int len, float[] dst, int off) {
        long base = ((long) row * cols + col) * 2;
        int i = 0;
        for (; i <= len - L; i += L) {
            ShortVector s = ShortVector.fromMemorySegment(S_HALF, data, base + (long) i * 2, LE);
            halfToFloat((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).intoArray(dst, off + i);
        }
        for (; i < len; i++) dst[off + i] = Float.float16ToFloat(data.get(I16_LE, base + (long) i * 2));
    }

    @Override
    void gemvInput(float[] x, int xOff, float[] xs, int xsOff) {
        deinterleavePairs(x, xOff, xs, xsOff, cols);
    }

    /**
     * Reads half-float pairs as ints, like {@link Bf16Weights#gemv}, one row at a time: the conversion, not memory,
     * is the cost here, and unrolling over rows makes the method too large for C2 to inline the vector operations.
     */
    @Override
    void gemv(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e = FloatVector.zero(F), d = e;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                e = halfToFloat(v).fma(FloatVector.fromArray(F, x, xOff + i), e);
                d = halfToFloat(v.lanewise(VectorOperators.LSHR, 16)).fma(FloatVector.fromArray(F, x, xOff + i + L), d);
            }
            y[yOff + r] = Simd.sum(e.add(d)) + tail(o, x, xOff, vecEnd);
        }
    }

    /** The conversion, which is the cost of this format, is done once per weight vector for both activation vectors. */
    @Override
    void gemv2(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int x1 = xOff + stride;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, d0 = e0, d1 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                FloatVector we = halfToFloat(v), wo = halfToFloat(v.lanewise(VectorOperators.LSHR, 16));
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                d1 = wo.fma(FloatVector.fromArray(F, x, x1 + i + L), d1);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
        }
    }

    @Override
    void gemv3(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int x1 = xOff + stride, x2 = x1 + stride;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, d0 = e0, d1 = e0, d2 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                FloatVector we = halfToFloat(v), wo = halfToFloat(v.lanewise(VectorOperators.LSHR, 16));
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                d1 = wo.fma(FloatVector.fromArray(F, x, x1 + i + L), d1);
                e2 = we.fma(FloatVector.fromArray(F, x, x2 + i), e2);
                d2 = wo.fma(FloatVector.fromArray(F, x, x2 + i + L), d2);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
            y[yOff + 2 * ldy + r] = Simd.sum(e2.add(d2)) + tail(o, x, x2, vecEnd);
        }
    }

    @Override
    void gemv4(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int x1 = xOff + stride, x2 = x1 + stride, x3 = x2 + stride;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0, d0 = e0, d1 = e0, d2 = e0, d3 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                FloatVector we = halfToFloat(v), wo = halfToFloat(v.lanewise(VectorOperators.LSHR, 16));
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                d1 = wo.fma(FloatVector.fromArray(F, x, x1 + i + L), d1);
                e2 = we.fma(FloatVector.fromArray(F, x, x2 + i), e2);
                d2 = wo.fma(FloatVector.fromArray(F, x, x2 + i + L), d2);
                e3 = we.fma(FloatVector.fromArray(F, x, x3 + i), e3);
                d3 = wo.fma(FloatVector.fromArray(F, x, x3 + i + L), d3);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
            y[yOff + 2 * ldy + r] = Simd.sum(e2.add(d2)) + tail(o, x, x2, vecEnd);
            y[yOff + 3 * ldy + r] = Simd.sum(e3.add(d3)) + tail(o, x, x3, vecEnd);
        }
    }

    private float tail(long rowOffset, float[] x, int xOff, int from) {
        float s = 0;
        for (int i = from; i < cols; i++) s += Float.float16ToFloat(data.get(I16_LE, rowOffset + (long) i * 2)) * x[xOff + i];
        return s;
    }
}
