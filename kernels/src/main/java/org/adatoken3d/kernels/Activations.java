package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise activations, in place. */
public final class Activations {
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    // erf(x) ≈ 1 - t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5))))·exp(-x²), t = 1/(1 + p·x), x ≥ 0: Abramowitz & Stegun
    // 7.1.26, absolute error ≤ 1.5e-7, about one f32 ulp of values near 1.
    private static final float ERF_P = 0.3275911f;
    private static final float ERF_A1 = 0.254829592f, ERF_A2 = -0.284496736f, ERF_A3 = 1.421413741f,
            ERF_A4 = -1.453152027f, ERF_A5 = 1.061405429f;

    private Activations() {}

    /** SwiGLU's gate: {@code gate[i] = silu(gate[i]) · up[i]} for i in [0, n), {@code silu(g) = g / (1 + e^-g)}. */
    public static void siluMul(float[] gate, float[] up, int n) {
        Shapes.vector("gate", gate, n);
        Shapes.vector("up", up, n);
        Rows.forEach(n, (from, to) -> {
            int i = from;
            for (; i <= to - L; i += L) {
                FloatVector g = FloatVector.fromArray(F, gate, i);
                FloatVector sig = Exp.exp(g.neg()).add(1f);
                g.div(sig).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
            }
            for (; i < to; i++) gate[i] = gate[i] / (1 + Exp.exp(-gate[i])) * up[i];
        });
    }

    /** A GELU-gated MLP's gate: {@code gate[i] = gelu(gate[i]) · up[i]} for i in [0, n), GELU in {@code form}. */
    public static void geluMul(float[] gate, float[] up, int n, GeluForm form) {
        Shapes.vector("up", up, n);
        gelu(gate, n, form);
        Rows.forEach(n, (from, to) -> {
            int i = from;
            for (; i <= to - L; i += L) {
                FloatVector.fromArray(F, gate, i).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
            }
            for (; i < to; i++) gate[i] *= up[i];
        });
    }

    /**
     * GELU in the given form over {@code x[0 .. n)}, in place. The tanh form is computed as
     * {@code x · sigmoid(2·√(2/π)·(x + 0.044715·x³))}, which equals {@code 0.5·x·(1 + tanh(…))} exactly in real
     * arithmetic and has no cancellation near 0.
     */
    public static void gelu(float[] x, int n, GeluForm form) {
        Shapes.vector("x", x, n);
        Rows.forEach(n, (from, to) -> {
            int i = from;
            for (; i <= to - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector y = switch (form) {
                    case ERF -> v.mul(erf(v.mul(SQRT_HALF)).add(1f)).mul(0.5f);
                    case TANH -> v.div(Exp.exp(v.mul(v).mul(-2 * 0.044715f * SQRT_2_OVER_PI).sub(2 * SQRT_2_OVER_PI).mul(v)).add(1f));
                    case QUICK -> v.div(Exp.exp(v.mul(-1.702f)).add(1f));
                };
                y.intoArray(x, i);
            }
            for (; i < to; i++) x[i] = gelu(x[i], form);
        });
    }

    private static float gelu(float v, GeluForm form) {
        return switch (form) {
            case ERF -> 0.5f * v * (1 + erf(v * SQRT_HALF));
            case TANH -> v / (1 + Exp.exp((v * v * (-2 * 0.044715f * SQRT_2_OVER_PI) - 2 * SQRT_2_OVER_PI) * v));
            case QUICK -> v / (1 + Exp.exp(-1.702f * v));
        };
    }

    private static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector t = FloatVector.broadcast(F, 1f).div(a.mul(ERF_P).add(1f));
        FloatVector poly = t.mul(ERF_A5).add(ERF_A4).mul(t).add(ERF_A3).mul(t).add(ERF_A2).mul(t).add(ERF_A1).mul(t);
        FloatVector y = poly.mul(Exp.exp(a.mul(a).neg())).neg().add(1f);
        return y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
    }

    private static float erf(float x) {
        float a = Math.abs(x);
        float t = 1 / (1 + ERF_P * a);
        float poly = ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t;
        return Math.copySign(1 - poly * Exp.exp(-a * a), x);
    }
}
