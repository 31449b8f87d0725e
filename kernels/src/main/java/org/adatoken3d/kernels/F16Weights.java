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
    void gemvInput(float[] x, int xOff, float[] xs) {
        deinterleavePairs(x, xOff, xs, cols);
    }

    /**
     * Reads half-float pairs as ints, like {@link Bf16Weights#gemv}, one row at a time: the conversion, not memory,
     * is the cost here, and unrolling over rows makes the method too large for C2 to inline the vector operations.
     */
    @Override
    void gemv(float[] x, float[] y, int yOff, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e = FloatVector.zero(F), d = e;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                e = halfToFloat(v).fma(FloatVector.fromArray(F, x, i), e);
                d = halfToFloat(v.lanewise(VectorOperators.LSHR, 16)).fma(FloatVector.fromArray(F, x, i + L), d);
            }
            y[yOff + r] = Simd.sum(e.add(d)) + tail(o, x, vecEnd);
        }
    }

    private float tail(long rowOffset, float[] x, int from) {
        float s = 0;
        for (int i = from; i < cols; i++) s += Float.float16ToFloat(data.get(I16_LE, rowOffset + (long) i * 2)) * x[i];
        return s;
    }
}
