package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Numerically safe softmax: subtract the maximum, exponentiate, normalise. */
public final class Softmax {
    private Softmax() {}

    /** Softmax over {@code x[offset .. offset + length)}, in place. A slice of all −∞ becomes all zeros. */
    public static void inPlace(float[] x, int offset, int length) {
        Shapes.range("x", x, offset, length);
        if (length == 0) return;
        int end = offset + length;
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = offset;
        for (; i <= end - L; i += L) mv = mv.max(FloatVector.fromArray(F, x, i));
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) max = Math.max(max, x[i]);
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(x, offset, end, 0f);
            return;
        }
        FloatVector sv = FloatVector.zero(F);
        i = offset;
        for (; i <= end - L; i += L) {
            FloatVector e = Exp.exp(FloatVector.fromArray(F, x, i).sub(max));
            e.intoArray(x, i);
            sv = sv.add(e);
        }
        float sum = Simd.sum(sv);
        for (; i < end; i++) {
            x[i] = Exp.exp(x[i] - max);
            sum += x[i];
        }
        float inv = 1 / sum;
        i = offset;
        for (; i <= end - L; i += L) FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        for (; i < end; i++) x[i] *= inv;
    }
}
