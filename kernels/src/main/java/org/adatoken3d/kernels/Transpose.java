package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * Matrix transposition between heap arrays, in 16×16 register tiles where the CPU has 16-lane vectors. GEMM
 * panels and attention tiles need one operand with its rows turned into columns; doing it 16×16 in registers
 * costs 64 lane permutes and 64 blends per 256 values, against 256 scalar loads and stores with a stride.
 */
final class Transpose {
    private static final boolean TILED = L == 16;
    private static final VectorShuffle<Float> UP1 = rotation(1), UP2 = rotation(2), UP4 = rotation(4), UP8 = rotation(8);
    private static final VectorShuffle<Float> DOWN1 = rotation(-1), DOWN2 = rotation(-2), DOWN4 = rotation(-4), DOWN8 = rotation(-8);
    private static final VectorMask<Float> HIGH1 = bitSet(1), HIGH2 = bitSet(2), HIGH4 = bitSet(4), HIGH8 = bitSet(8);

    private Transpose() {}

    /** Lane c takes lane c - d (mod L). */
    private static VectorShuffle<Float> rotation(int d) {
        int[] index = new int[L];
        for (int c = 0; c < L; c++) index[c] = Math.floorMod(c - d, L);
        return VectorShuffle.fromArray(F, index, 0);
    }

    private static VectorMask<Float> bitSet(int d) {
        boolean[] set = new boolean[L];
        for (int c = 0; c < L; c++) set[c] = (c & d) != 0;
        return VectorMask.fromArray(F, set, 0);
    }

    /**
     * {@code dst[dstOff + j * dstStride + i] = src[srcOff + i * srcStride + j]} for i in [0, rows), j in [0, cols).
     */
    static void transpose(float[] src, int srcOff, int srcStride, int rows, int cols, float[] dst, int dstOff, int dstStride) {
        int i = 0;
        if (TILED) {
            for (; i + 16 <= rows; i += 16) {
                int j = 0;
                for (; j + 16 <= cols; j += 16) {
                    tile16(src, srcOff + i * srcStride + j, srcStride, dst, dstOff + j * dstStride + i, dstStride);
                }
                scalar(src, srcOff + i * srcStride + j, srcStride, 16, cols - j, dst, dstOff + j * dstStride + i, dstStride);
            }
        }
        scalar(src, srcOff + i * srcStride, srcStride, rows - i, cols, dst, dstOff + i, dstStride);
    }

    private static void scalar(float[] src, int srcOff, int srcStride, int rows, int cols, float[] dst, int dstOff, int dstStride) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) dst[dstOff + j * dstStride + i] = src[srcOff + i * srcStride + j];
        }
    }

    /** One 16×16 tile: four butterfly stages, each swapping one bit of the row index with that bit of the lane. */
    private static void tile16(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
        FloatVector r0 = FloatVector.fromArray(F, src, srcOff),
                r1 = FloatVector.fromArray(F, src, srcOff + 1 * srcStride),
                r2 = FloatVector.fromArray(F, src, srcOff + 2 * srcStride),
                r3 = FloatVector.fromArray(F, src, srcOff + 3 * srcStride),
                r4 = FloatVector.fromArray(F, src, srcOff + 4 * srcStride),
                r5 = FloatVector.fromArray(F, src, srcOff + 5 * srcStride),
                r6 = FloatVector.fromArray(F, src, srcOff + 6 * srcStride),
                r7 = FloatVector.fromArray(F, src, srcOff + 7 * srcStride),
                r8 = FloatVector.fromArray(F, src, srcOff + 8 * srcStride),
                r9 = FloatVector.fromArray(F, src, srcOff + 9 * srcStride),
                r10 = FloatVector.fromArray(F, src, srcOff + 10 * srcStride),
                r11 = FloatVector.fromArray(F, src, srcOff + 11 * srcStride),
                r12 = FloatVector.fromArray(F, src, srcOff + 12 * srcStride),
                r13 = FloatVector.fromArray(F, src, srcOff + 13 * srcStride),
                r14 = FloatVector.fromArray(F, src, srcOff + 14 * srcStride),
                r15 = FloatVector.fromArray(F, src, srcOff + 15 * srcStride);
        FloatVector t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15;
        // swap bit 3 of the row index with the same bit of the lane index
        t0 = r0.blend(r8.rearrange(UP8), HIGH8); t8 = r0.rearrange(DOWN8).blend(r8, HIGH8);
        t1 = r1.blend(r9.rearrange(UP8), HIGH8); t9 = r1.rearrange(DOWN8).blend(r9, HIGH8);
        t2 = r2.blend(r10.rearrange(UP8), HIGH8); t10 = r2.rearrange(DOWN8).blend(r10, HIGH8);
        t3 = r3.blend(r11.rearrange(UP8), HIGH8); t11 = r3.rearrange(DOWN8).blend(r11, HIGH8);
        t4 = r4.blend(r12.rearrange(UP8), HIGH8); t12 = r4.rearrange(DOWN8).blend(r12, HIGH8);
        t5 = r5.blend(r13.rearrange(UP8), HIGH8); t13 = r5.rearrange(DOWN8).blend(r13, HIGH8);
        t6 = r6.blend(r14.rearrange(UP8), HIGH8); t14 = r6.rearrange(DOWN8).blend(r14, HIGH8);
        t7 = r7.blend(r15.rearrange(UP8), HIGH8); t15 = r7.rearrange(DOWN8).blend(r15, HIGH8);
        // swap bit 2 of the row index with the same bit of the lane index
        r0 = t0.blend(t4.rearrange(UP4), HIGH4); r4 = t0.rearrange(DOWN4).blend(t4, HIGH4);
        r1 = t1.blend(t5.rearrange(UP4), HIGH4); r5 = t1.rearrange(DOWN4).blend(t5, HIGH4);
        r2 = t2.blend(t6.rearrange(UP4), HIGH4); r6 = t2.rearrange(DOWN4).blend(t6, HIGH4);
        r3 = t3.blend(t7.rearrange(UP4), HIGH4); r7 = t3.rearrange(DOWN4).blend(t7, HIGH4);
        r8 = t8.blend(t12.rearrange(UP4), HIGH4); r12 = t8.rearrange(DOWN4).blend(t12, HIGH4);
        r9 = t9.blend(t13.rearrange(UP4), HIGH4); r13 = t9.rearrange(DOWN4).blend(t13, HIGH4);
        r10 = t10.blend(t14.rearrange(UP4), HIGH4); r14 = t10.rearrange(DOWN4).blend(t14, HIGH4);
        r11 = t11.blend(t15.rearrange(UP4), HIGH4); r15 = t11.rearrange(DOWN4).blend(t15, HIGH4);
        // swap bit 1 of the row index with the same bit of the lane index
        t0 = r0.blend(r2.rearrange(UP2), HIGH2); t2 = r0.rearrange(DOWN2).blend(r2, HIGH2);
        t1 = r1.blend(r3.rearrange(UP2), HIGH2); t3 = r1.rearrange(DOWN2).blend(r3, HIGH2);
        t4 = r4.blend(r6.rearrange(UP2), HIGH2); t6 = r4.rearrange(DOWN2).blend(r6, HIGH2);
        t5 = r5.blend(r7.rearrange(UP2), HIGH2); t7 = r5.rearrange(DOWN2).blend(r7, HIGH2);
        t8 = r8.blend(r10.rearrange(UP2), HIGH2); t10 = r8.rearrange(DOWN2).blend(r10, HIGH2);
        t9 = r9.blend(r11.rearrange(UP2), HIGH2); t11 = r9.rearrange(DOWN2).blend(r11, HIGH2);
        t12 = r12.blend(r14.rearrange(UP2), HIGH2); t14 = r12.rearrange(DOWN2).blend(r14, HIGH2);
        t13 = r13.blend(r15.rearrange(UP2), HIGH2); t15 = r13.rearrange(DOWN2).blend(r15, HIGH2);
        // swap bit 0 of the row index with the same bit of the lane index
        r0 = t0.blend(t1.rearrange(UP1), HIGH1); r1 = t0.rearrange(DOWN1).blend(t1, HIGH1);
        r2 = t2.blend(t3.rearrange(UP1), HIGH1); r3 = t2.rearrange(DOWN1).blend(t3, HIGH1);
        r4 = t4.blend(t5.rearrange(UP1), HIGH1); r5 = t4.rearrange(DOWN1).blend(t5, HIGH1);
        r6 = t6.blend(t7.rearrange(UP1), HIGH1); r7 = t6.rearrange(DOWN1).blend(t7, HIGH1);
        r8 = t8.blend(t9.rearrange(UP1), HIGH1); r9 = t8.rearrange(DOWN1).blend(t9, HIGH1);
        r10 = t10.blend(t11.rearrange(UP1), HIGH1); r11 = t10.rearrange(DOWN1).blend(t11, HIGH1);
        r12 = t12.blend(t13.rearrange(UP1), HIGH1); r13 = t12.rearrange(DOWN1).blend(t13, HIGH1);
        r14 = t14.blend(t15.rearrange(UP1), HIGH1); r15 = t14.rearrange(DOWN1).blend(t15, HIGH1);
        r0.intoArray(dst, dstOff); r1.intoArray(dst, dstOff + 1 * dstStride); r2.intoArray(dst, dstOff + 2 * dstStride); r3.intoArray(dst, dstOff + 3 * dstStride);
        r4.intoArray(dst, dstOff + 4 * dstStride); r5.intoArray(dst, dstOff + 5 * dstStride); r6.intoArray(dst, dstOff + 6 * dstStride); r7.intoArray(dst, dstOff + 7 * dstStride);
        r8.intoArray(dst, dstOff + 8 * dstStride); r9.intoArray(dst, dstOff + 9 * dstStride); r10.intoArray(dst, dstOff + 10 * dstStride); r11.intoArray(dst, dstOff + 11 * dstStride);
        r12.intoArray(dst, dstOff + 12 * dstStride); r13.intoArray(dst, dstOff + 13 * dstStride); r14.intoArray(dst, dstOff + 14 * dstStride); r15.intoArray(dst, dstOff + 15 * dstStride);
    }
}
