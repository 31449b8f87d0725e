package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/** LayerNorm: {@code out = (x - mean) / sqrt(var + eps) · weight + bias} per row, biased variance, two passes. */
public final class LayerNorm {
    private LayerNorm() {}

    /** Normalises each row of x into out (which may be x); {@code bias} may be null for none. */
    public static void apply(float[] x, int rows, int dim, float[] weight, float[] bias, float eps, float[] out) {
        Shapes.rows("x", x, rows, dim);
        Shapes.rows("out", out, rows, dim);
        Shapes.vector("weight", weight, dim);
        if (bias != null) Shapes.vector("bias", bias, dim);
        Rows.forEach(rows, dim, (from, to) -> {
            for (int r = from; r < to; r++) row(x, r * dim, dim, weight, bias, eps, out);
        });
    }

    private static void row(float[] x, int off, int dim, float[] weight, float[] bias, float eps, float[] out) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= dim - L; i += L) acc = acc.add(FloatVector.fromArray(F, x, off + i));
        float sum = Simd.sum(acc);
        for (; i < dim; i++) sum += x[off + i];
        float mean = sum / dim;
        // Second pass over (x - mean): the one-pass E[x²] - mean² loses digits when |mean| dominates.
        acc = FloatVector.zero(F);
        i = 0;
        for (; i <= dim - L; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, off + i).sub(mean);
            acc = d.fma(d, acc);
        }
        float squares = Simd.sum(acc);
        for (; i < dim; i++) squares += (x[off + i] - mean) * (x[off + i] - mean);
        float inv = (float) (1.0 / Math.sqrt(squares / dim + eps));
        i = 0;
        for (; i <= dim - L; i += L) {
            FloatVector y = FloatVector.fromArray(F, x, off + i).sub(mean).mul(inv).mul(FloatVector.fromArray(F, weight, i));
            if (bias != null) y = y.add(FloatVector.fromArray(F, bias, i));
            y.intoArray(out, off + i);
        }
        for (; i < dim; i++) out[off + i] = (x[off + i] - mean) * inv * weight[i] + (bias == null ? 0 : bias[i]);
    }
}
