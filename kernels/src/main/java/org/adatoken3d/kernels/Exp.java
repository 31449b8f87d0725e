package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x in f32, the same bits in a vector lane, in a scalar tail, in the interpreter and in compiled code.
 *
 * <p>The Vector API's {@code EXP} is an intrinsic (a vendor math library) once C2 compiles the caller, but falls
 * back to {@code Math.exp} per lane before that, and the two differ in the last bit. Softmax probabilities then
 * depended on how warm the JIT was, and through them the contribution scores and the pruning decisions taken from
 * them. This version uses only IEEE-exact operations (add, multiply, fused multiply-add, bit operations), so every
 * path gives the same answer.
 *
 * <p>Method: e^x = 2^n · e^r with n = round(x / ln 2), r = x − n·ln 2 (ln 2 split in a short high part, so
 * n·ln2_hi is exact, and a low part), |r| ≤ ln2/2; e^r = 1 + r + r²·P(r) with the degree-5 minimax P of
 * Cephes' {@code expf}; 2^n added to the exponent bits. Within 2 ulps of e^x; 0 below −87.3 (where e^x is
 * below the smallest normal float), +∞ above 88.72, NaN for NaN.
 */
final class Exp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 · 2^23: adding it rounds any |v| < 2^22 to an integer, which then sits in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    private static final float MIN = -87.3f, MAX = 88.72f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private Exp() {}

    static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(MIN).min(MAX);
        FloatVector t = v.mul(LOG2E).add(ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        IntVector exponent = t.reinterpretAsInts().sub(ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), v);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector z = r.mul(r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        FloatVector y = p.fma(z, r).add(1f);
        FloatVector e = y.reinterpretAsInts().add(exponent).reinterpretAsFloats();
        e = e.blend(0f, x.compare(VectorOperators.LT, MIN));
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX));
        return e.blend(x, x.compare(VectorOperators.NE, x)); // NaN stays NaN
    }

    /** The same function for one value, operation for operation. */
    static float exp(float x) {
        if (x != x) return x;
        if (x < MIN) return 0f;
        if (x > MAX) return Float.POSITIVE_INFINITY;
        float t = x * LOG2E + ROUNDER;
        float n = t - ROUNDER;
        int exponent = (Float.floatToRawIntBits(t) - ROUNDER_BITS) << 23;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float z = r * r;
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, z, r) + 1f;
        return Float.intBitsToFloat(Float.floatToRawIntBits(y) + exponent);
    }
}
