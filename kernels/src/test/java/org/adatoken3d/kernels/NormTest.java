package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.fail;

import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class NormTest {
    static final double U = GemmTest.U;

    /**
     * The f32 sum of squares is within γ_dim of the exact one, the reciprocal square root then within half that
     * plus a rounding, and the two products add a rounding each: relative error below (dim/2 + 4)·u, doubled.
     */
    @Test
    void rmsNormMatchesReferenceForAnyShape() {
        SeededCases.run("rmsNormMatchesReferenceForAnyShape", 150, rnd -> {
            int rows = between(rnd, 1, 9), dim = rnd.nextInt(3) == 0 ? between(rnd, 1, 17) : between(rnd, 1, 300);
            float scale = (float) Math.pow(10, between(rnd, -3, 3));
            float[] x = uniform(rnd, rows * dim, scale), w = uniform(rnd, dim, 2f);
            float eps = rnd.nextBoolean() ? 1e-5f : 1e-6f;
            float[] ref = ReferenceKernels.rmsNorm(x, rows, dim, w, eps);
            boolean inPlace = rnd.nextBoolean();
            float[] out = inPlace ? x.clone() : new float[rows * dim];
            RmsNorm.apply(inPlace ? out : x, rows, dim, w, eps, out);
            double rel = 2 * (dim / 2.0 + 4) * U;
            for (int i = 0; i < ref.length; i++) {
                if (!(Math.abs(out[i] - ref[i]) <= rel * Math.abs(ref[i]) + 1e-37)) fail("element " + i + ": " + out[i] + " vs " + ref[i]);
            }
        });
    }

    /**
     * As RMSNorm, plus the mean's own error (γ_dim of mean|x|), which reaches every output through (x − mean)
     * however small the output is.
     */
    @Test
    void layerNormMatchesReferenceForAnyShape() {
        SeededCases.run("layerNormMatchesReferenceForAnyShape", 150, rnd -> {
            int rows = between(rnd, 1, 9), dim = rnd.nextInt(3) == 0 ? between(rnd, 1, 17) : between(rnd, 2, 300);
            float offset = rnd.nextBoolean() ? 0 : (float) SeededCases.uniform(rnd, 1, 50f)[0];
            float[] x = uniform(rnd, rows * dim, 3f), w = uniform(rnd, dim, 2f);
            for (int i = 0; i < x.length; i++) x[i] += offset;
            float[] b = rnd.nextBoolean() ? null : uniform(rnd, dim, 1f);
            float eps = 1e-5f;
            float[] ref = ReferenceKernels.layerNorm(x, rows, dim, w, b, eps);
            float[] out = new float[rows * dim];
            LayerNorm.apply(x, rows, dim, w, b, eps, out);
            double rel = 2 * (dim + 8) * U;
            for (int r = 0; r < rows; r++) {
                double meanAbs = 0, mean = 0, var = 0;
                for (int i = 0; i < dim; i++) {
                    meanAbs += Math.abs(x[r * dim + i]) / dim;
                    mean += x[r * dim + i] / (double) dim;
                }
                for (int i = 0; i < dim; i++) var += (x[r * dim + i] - mean) * (x[r * dim + i] - mean) / dim;
                double inv = 1 / Math.sqrt(var + eps);
                for (int i = 0; i < dim; i++) {
                    int e = r * dim + i;
                    double bias = b == null ? 0 : b[i];
                    double tol = rel * (Math.abs(ref[e] - bias) + meanAbs * inv * Math.abs(w[i])) + 2 * U * Math.abs(bias) + 1e-37;
                    if (!(Math.abs(out[e] - ref[e]) <= tol)) fail("row " + r + " element " + i + ": " + out[e] + " vs " + ref[e] + ", tol " + tol);
                }
            }
        });
    }
}
