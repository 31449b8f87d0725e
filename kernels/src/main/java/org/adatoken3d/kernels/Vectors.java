package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/** Small element-wise vector operations: residual adds and biases. */
public final class Vectors {
    private Vectors() {}

    /** Residual connection: {@code acc[i] += x[i]} for i in [0, n). */
    public static void add(float[] acc, float[] x, int n) {
        Shapes.vector("acc", acc, n);
        Shapes.vector("x", x, n);
        Rows.forEach(n, (from, to) -> {
            int i = from;
            for (; i <= to - L; i += L) FloatVector.fromArray(F, acc, i).add(FloatVector.fromArray(F, x, i)).intoArray(acc, i);
            for (; i < to; i++) acc[i] += x[i];
        });
    }

    /** {@code x[r][i] += bias[i]} for each of {@code rows} rows of {@code bias.length} values. */
    public static void addBias(float[] x, int rows, float[] bias) {
        int dim = bias.length;
        Shapes.rows("x", x, rows, dim);
        Rows.forEach(rows, dim, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * dim, i = 0;
                for (; i <= dim - L; i += L) {
                    FloatVector.fromArray(F, x, off + i).add(FloatVector.fromArray(F, bias, i)).intoArray(x, off + i);
                }
                for (; i < dim; i++) x[off + i] += bias[i];
            }
        });
    }
}
