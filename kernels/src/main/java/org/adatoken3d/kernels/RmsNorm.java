package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/** RMSNorm (LLaMA): {@code out = x / sqrt(mean(x²) + eps) · weight}, per row, in f32 as Hugging Face computes it. */
public final class RmsNorm {
    private RmsNorm() {}

    /** Normalises each of {@code rows} rows of {@code dim} values of x into out (which may be x). */
    public static void apply(float[] x, int rows, int dim, float[] weight, float eps, float[] out) {
        Shapes.rows("x", x, rows, dim);
        Shapes.rows("out", out, rows, dim);
        Shapes.vector("weight", weight, dim);
        Rows.forEach(rows, dim, (from, to) -> {
            for (int r = from; r < to; r++) row(x, r * dim, dim, weight, eps, out);
        });
    }

    private static void row(float[] x, int off, int dim, float[] weight, float eps, float[] out) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= dim - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = v.fma(v, acc);
        }
        float sum = Simd.sum(acc);
        for (; i < dim; i++) sum += x[off + i] * x[off + i];
        float inv = (float) (1.0 / Math.sqrt(sum / dim + eps));
        i = 0;
        for (; i <= dim - L; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, off + i);
        }
        for (; i < dim; i++) out[off + i] = x[off + i] * inv * weight[i];
    }
}
