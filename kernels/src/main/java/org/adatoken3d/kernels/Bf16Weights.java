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
import jdk.incubator.vector.VectorOperators;

/** bfloat16 weights read in place; a bf16 value is the top 16 bits of the f32 it stands for. */
final class Bf16Weights extends WeightMatrix {
    private final MemorySegment data;

    Bf16Weights(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        this.data = data;
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.BF16;
    }

    @Override
    public MemorySegment data() {
        return data;
    }

    @Override
    public long bytes() {
        return (long) rows * cols * 2;
    }

    static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    @Override
    void toF32(int row, int col, int len, float[] dst, int off) {
        long base = ((long) row * cols + col) * 2;
        int i = 0;
        for (; i <= len - L; i += L) {
            ShortVector s = ShortVector.fromMemorySegment(S_HALF, data, base + (long) i * 2, LE);
            ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoArray(dst, off + i);
        }
        for (; i < len; i++) dst[off + i] = toFloat(data.get(I16_LE, base + (long) i * 2));
    }

    @Override
    void gemvInput(float[] x, int xOff, float[] xs, int xsOff) {
        deinterleavePairs(x, xOff, xs, xsOff, cols);
    }

    /**
     * {@code bits << 16} and {@code bits & 0xFFFF0000} of a vector of bf16 pairs are its even and odd elements.
     * With 32 vector registers four rows share each pair of activation vectors; with 16 (AVX2) the four rows' eight
     * accumulators, two activation vectors, four weight vectors and the conversions do not fit, the loop spills, and
     * two rows at a time is faster: on a Zen 1 core 8.1 against 6.3 G weights/s from L2 and 0.81 against 0.70 of
     * the read bandwidth from memory (one thread).
     */
    @Override
    void gemv(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        if (Simd.REGISTERS >= 32) gemvQuarters(x, xOff, y, yOff, rowFrom, rowTo);
        else gemvHalves(x, xOff, y, yOff, rowFrom, rowTo);
    }

    /** Four rows at a time, one from each quarter of the range (see {@link F32Weights#gemv}). */
    void gemvQuarters(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int q = (rowTo - rowFrom) / 4; // one row from each quarter of the range: see F32Weights.gemv
        for (int j = 0; j < q; j++) {
            int r0 = rowFrom + j, r1 = r0 + q, r2 = r1 + q, r3 = r2 + q;
            long o0 = r0 * rowBytes, o1 = r1 * rowBytes, o2 = r2 * rowBytes, o3 = r3 * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0, d0 = e0, d1 = e0, d2 = e0, d3 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                FloatVector xe = FloatVector.fromArray(F, x, xOff + i), xo = FloatVector.fromArray(F, x, xOff + i + L);
                long b = (long) i * 2;
                IntVector v0 = IntVector.fromMemorySegment(I, data, o0 + b, LE);
                IntVector v1 = IntVector.fromMemorySegment(I, data, o1 + b, LE);
                IntVector v2 = IntVector.fromMemorySegment(I, data, o2 + b, LE);
                IntVector v3 = IntVector.fromMemorySegment(I, data, o3 + b, LE);
                e0 = even(v0).fma(xe, e0);
                d0 = odd(v0).fma(xo, d0);
                e1 = even(v1).fma(xe, e1);
                d1 = odd(v1).fma(xo, d1);
                e2 = even(v2).fma(xe, e2);
                d2 = odd(v2).fma(xo, d2);
                e3 = even(v3).fma(xe, e3);
                d3 = odd(v3).fma(xo, d3);
            }
            y[yOff + r0] = Simd.sum(e0.add(d0)) + tail(o0, x, xOff, vecEnd);
            y[yOff + r1] = Simd.sum(e1.add(d1)) + tail(o1, x, xOff, vecEnd);
            y[yOff + r2] = Simd.sum(e2.add(d2)) + tail(o2, x, xOff, vecEnd);
            y[yOff + r3] = Simd.sum(e3.add(d3)) + tail(o3, x, xOff, vecEnd);
        }
        for (int r = rowFrom + 4 * q; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e = FloatVector.zero(F), d = e;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                e = even(v).fma(FloatVector.fromArray(F, x, xOff + i), e);
                d = odd(v).fma(FloatVector.fromArray(F, x, xOff + i + L), d);
            }
            y[yOff + r] = Simd.sum(e.add(d)) + tail(o, x, xOff, vecEnd);
        }
    }

    /** Two rows at a time, one from each half of the range: two sequential streams, ten registers. */
    void gemvHalves(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int h = (rowTo - rowFrom) / 2;
        for (int j = 0; j < h; j++) {
            int r0 = rowFrom + j, r1 = r0 + h;
            long o0 = r0 * rowBytes, o1 = r1 * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, d0 = e0, d1 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                FloatVector xe = FloatVector.fromArray(F, x, xOff + i), xo = FloatVector.fromArray(F, x, xOff + i + L);
                long b = (long) i * 2;
                IntVector v0 = IntVector.fromMemorySegment(I, data, o0 + b, LE);
                IntVector v1 = IntVector.fromMemorySegment(I, data, o1 + b, LE);
                e0 = even(v0).fma(xe, e0);
                d0 = odd(v0).fma(xo, d0);
                e1 = even(v1).fma(xe, e1);
                d1 = odd(v1).fma(xo, d1);
            }
            y[yOff + r0] = Simd.sum(e0.add(d0)) + tail(o0, x, xOff, vecEnd);
            y[yOff + r1] = Simd.sum(e1.add(d1)) + tail(o1, x, xOff, vecEnd);
        }
        if ((rowTo - rowFrom) % 2 != 0) gemvQuarters(x, xOff, y, yOff, rowTo - 1, rowTo);
    }

    @Override
    void gemv2(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        if (Simd.REGISTERS >= 32) gemv2Pairs(x, xOff, stride, y, yOff, ldy, rowFrom, rowTo);
        else gemv2Single(x, xOff, stride, y, yOff, ldy, rowFrom, rowTo);
    }

    /**
     * Two weight rows at a time, each activation vector loaded once for both: with one row, two activation vectors
     * gave too few independent FMA chains and one memory stream per thread, and cost as much as two GEMVs of one
     * (32 registers). Its eight accumulators, two weight vectors and their conversions spill with 16.
     */
    void gemv2Pairs(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int x1 = xOff + stride;
        int r = rowFrom;
        for (; r + 1 < rowTo; r += 2) {
            long o = r * rowBytes, p = o + rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, d0 = e0, d1 = e0, f0 = e0, f1 = e0, g0 = e0, g1 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                IntVector u = IntVector.fromMemorySegment(I, data, p + (long) i * 2, LE);
                FloatVector ve = even(v), ue = even(u);
                FloatVector xa = FloatVector.fromArray(F, x, xOff + i);
                e0 = ve.fma(xa, e0);
                f0 = ue.fma(xa, f0);
                FloatVector xb = FloatVector.fromArray(F, x, x1 + i);
                e1 = ve.fma(xb, e1);
                f1 = ue.fma(xb, f1);
                FloatVector vo = odd(v), uo = odd(u);
                FloatVector xc = FloatVector.fromArray(F, x, xOff + i + L);
                d0 = vo.fma(xc, d0);
                g0 = uo.fma(xc, g0);
                FloatVector xd = FloatVector.fromArray(F, x, x1 + i + L);
                d1 = vo.fma(xd, d1);
                g1 = uo.fma(xd, g1);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
            y[yOff + r + 1] = Simd.sum(f0.add(g0)) + tail(p, x, xOff, vecEnd);
            y[yOff + ldy + r + 1] = Simd.sum(f1.add(g1)) + tail(p, x, x1, vecEnd);
        }
        for (; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, d0 = e0, d1 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                FloatVector we = even(v), wo = odd(v);
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                d1 = wo.fma(FloatVector.fromArray(F, x, x1 + i + L), d1);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
        }
    }

    /**
     * One weight row at a time, each converted half applied to both activation rows: eight vector registers live.
     * On a Zen 1 core 1.8x faster from L2 than the two-row loop, which spills there.
     */
    void gemv2Single(float[] x, int xOff, int stride, float[] y, int yOff, int ldy, int rowFrom, int rowTo) {
        int block = 2 * L;
        int vecEnd = cols - cols % block;
        long rowBytes = (long) cols * 2;
        int x1 = xOff + stride;
        for (int r = rowFrom; r < rowTo; r++) {
            long o = r * rowBytes;
            FloatVector e0 = FloatVector.zero(F), e1 = e0, d0 = e0, d1 = e0;
            for (int i = 0; i < vecEnd; i += block) {
                IntVector v = IntVector.fromMemorySegment(I, data, o + (long) i * 2, LE);
                FloatVector we = even(v);
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                FloatVector wo = odd(v);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
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
                FloatVector we = even(v);
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                e2 = we.fma(FloatVector.fromArray(F, x, x2 + i), e2);
                FloatVector wo = odd(v);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
                d1 = wo.fma(FloatVector.fromArray(F, x, x1 + i + L), d1);
                d2 = wo.fma(FloatVector.fromArray(F, x, x2 + i + L), d2);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
            y[yOff + 2 * ldy + r] = Simd.sum(e2.add(d2)) + tail(o, x, x2, vecEnd);
        }
    }

    /**
     * Eight accumulators, a half of the weight vector and one activation vector: 10 registers of AVX2's 16. The even
     * half's four FMAs come before the odd half is made, which measured about 5% faster than making both first.
     */
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
                FloatVector we = even(v);
                e0 = we.fma(FloatVector.fromArray(F, x, xOff + i), e0);
                e1 = we.fma(FloatVector.fromArray(F, x, x1 + i), e1);
                e2 = we.fma(FloatVector.fromArray(F, x, x2 + i), e2);
                e3 = we.fma(FloatVector.fromArray(F, x, x3 + i), e3);
                FloatVector wo = odd(v);
                d0 = wo.fma(FloatVector.fromArray(F, x, xOff + i + L), d0);
                d1 = wo.fma(FloatVector.fromArray(F, x, x1 + i + L), d1);
                d2 = wo.fma(FloatVector.fromArray(F, x, x2 + i + L), d2);
                d3 = wo.fma(FloatVector.fromArray(F, x, x3 + i + L), d3);
            }
            y[yOff + r] = Simd.sum(e0.add(d0)) + tail(o, x, xOff, vecEnd);
            y[yOff + ldy + r] = Simd.sum(e1.add(d1)) + tail(o, x, x1, vecEnd);
            y[yOff + 2 * ldy + r] = Simd.sum(e2.add(d2)) + tail(o, x, x2, vecEnd);
            y[yOff + 3 * ldy + r] = Simd.sum(e3.add(d3)) + tail(o, x, x3, vecEnd);
        }
    }

    private static FloatVector even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    private float tail(long rowOffset, float[] x, int xOff, int from) {
        float s = 0;
        for (int i = from; i < cols; i++) s += toFloat(data.get(I16_LE, rowOffset + (long) i * 2)) * x[xOff + i];
        return s;
    }
}
