package org.adatoken3d.kernels.reference;

/**
 * Plain scalar versions of every kernel, written to be obviously right rather than fast: one loop per formula,
 * accumulation in double. The property tests hold the vectorised kernels against these. Weights are given as
 * the f32 values they stand for ({@code w[n][k]} row-major), so decoding the stored formats is tested apart.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {}

    /** {@code c[i][j] = Σ_k a[i][k] · w[j][k]}. */
    public static float[] gemm(float[] a, int m, float[] w, int n, int k) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int x = 0; x < k; x++) s += (double) a[i * k + x] * w[j * k + x];
                c[i * n + j] = (float) s;
            }
        }
        return c;
    }

    /** bf16 bits → the f32 they stand for. */
    public static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static float[] rmsNorm(float[] x, int rows, int dim, float[] weight, float eps) {
        float[] out = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            double squares = 0;
            for (int i = 0; i < dim; i++) squares += (double) x[r * dim + i] * x[r * dim + i];
            double inv = 1 / Math.sqrt(squares / dim + eps);
            for (int i = 0; i < dim; i++) out[r * dim + i] = (float) (x[r * dim + i] * inv * weight[i]);
        }
        return out;
    }

    public static float[] layerNorm(float[] x, int rows, int dim, float[] weight, float[] bias, float eps) {
        float[] out = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < dim; i++) mean += x[r * dim + i];
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) var += (x[r * dim + i] - mean) * (x[r * dim + i] - mean);
            var /= dim;
            double inv = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < dim; i++) {
                out[r * dim + i] = (float) ((x[r * dim + i] - mean) * inv * weight[i] + (bias == null ? 0 : bias[i]));
            }
        }
        return out;
    }

    /**
     * RoPE on {@code x[rows][heads · headDim]} with the precision convention of {@code Rope}: f32 inverse
     * frequencies as Hugging Face rounds them, the angle an f32 product, cos/sin of it in double.
     */
    public static float[] rope(float[] x, int rows, int heads, int headDim, double theta, boolean interleaved, int[] positions) {
        float[] out = x.clone();
        int half = headDim / 2;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int base = r * heads * headDim + h * headDim;
                for (int i = 0; i < half; i++) {
                    float invFreq = 1f / (float) Math.pow((float) theta, (float) (2 * i) / (float) headDim);
                    float angle = positions[r] * invFreq;
                    double c = Math.cos(angle), s = Math.sin(angle);
                    int a = interleaved ? base + 2 * i : base + i;
                    int b = interleaved ? base + 2 * i + 1 : base + half + i;
                    out[a] = (float) (x[a] * c - x[b] * s);
                    out[b] = (float) (x[b] * c + x[a] * s);
                }
            }
        }
        return out;
    }

    public static float[] softmax(float[] x, int offset, int length) {
        float[] out = new float[length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) max = Math.max(max, x[offset + i]);
        if (max == Double.NEGATIVE_INFINITY) return out;
        double sum = 0;
        for (int i = 0; i < length; i++) sum += Math.exp(x[offset + i] - max);
        for (int i = 0; i < length; i++) out[i] = (float) (Math.exp(x[offset + i] - max) / sum);
        return out;
    }

    public static float[] siluMul(float[] gate, float[] up, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (gate[i] / (1 + Math.exp(-gate[i])) * up[i]);
        return out;
    }

    /** GELU; form is "erf", "tanh" or "quick". */
    public static float[] gelu(float[] x, int n, String form) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double v = x[i];
            out[i] = (float) switch (form) {
                case "erf" -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                case "tanh" -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                case "quick" -> v / (1 + Math.exp(-1.702 * v));
                default -> throw new IllegalArgumentException(form);
            };
        }
        return out;
    }

    /**
     * erf in double: its Maclaurin series where that converges without cancellation (|x| < 2.5), the continued
     * fraction of erfc beyond (Lentz's method), and ±1 past 6 where erfc is below 1e-17.
     */
    public static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 2.5) {
            double term = a, sum = a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else if (a < 6) {
            // erfc(a) = exp(-a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
            double tiny = 1e-300, f = a, c = a, d = 0;
            for (int n = 1; n < 500; n++) {
                double coeff = n / 2.0;
                d = a + coeff * d;
                d = d == 0 ? tiny : d;
                c = a + coeff / c;
                c = c == 0 ? tiny : c;
                d = 1 / d;
                double delta = c * d;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) break;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        } else {
            r = 1;
        }
        return Math.copySign(r, x);
    }

    /**
     * Attention by the definition: for each head and query, scores against every key it may see, softmax, weighted
     * sum of values. Layouts as {@code Attention.compute}: q/out {@code [nq][heads·d]}, k/v {@code [kvHeads][capacity][d]}.
     */
    public static float[] attention(float[] q, int nq, int[] qPos, float[] k, float[] v, int capacity, int nk, int[] kPos,
                                    int heads, int kvHeads, int d) {
        float[] out = new float[nq * heads * d];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < nq; i++) {
                double[] p = probabilities(q, qPos, k, capacity, nk, kPos, heads, kvHeads, d, h, i);
                for (int x = 0; x < d; x++) {
                    double s = 0;
                    int kvh = h / (heads / kvHeads);
                    for (int j = 0; j < nk; j++) s += p[j] * v[(kvh * capacity + j) * d + x];
                    out[i * heads * d + h * d + x] = (float) s;
                }
            }
        }
        return out;
    }

    /**
     * The contribution a_j of DESIGN.md §2.1 for keys {@code keyStart .. keyStart + keyCount - 1}: the attention
     * probability each receives, averaged over heads and over {@code queryRows}.
     */
    public static float[] contribution(float[] q, int nq, int[] qPos, float[] k, int capacity, int nk, int[] kPos,
                                       int heads, int kvHeads, int d, int[] queryRows, int keyStart, int keyCount) {
        double[] a = new double[keyCount];
        for (int h = 0; h < heads; h++) {
            for (int i : queryRows) {
                double[] p = probabilities(q, qPos, k, capacity, nk, kPos, heads, kvHeads, d, h, i);
                for (int j = 0; j < keyCount; j++) a[j] += p[keyStart + j];
            }
        }
        float[] out = new float[keyCount];
        for (int j = 0; j < keyCount; j++) out[j] = queryRows.length == 0 ? 0 : (float) (a[j] / ((double) heads * queryRows.length));
        return out;
    }

    /** Softmax probabilities of query row i, head h over all nk keys (0 for keys it may not see). */
    private static double[] probabilities(float[] q, int[] qPos, float[] k, int capacity, int nk, int[] kPos,
                                          int heads, int kvHeads, int d, int h, int i) {
        int kvh = h / (heads / kvHeads);
        double[] s = new double[nk];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < nk; j++) {
            if (kPos[j] > qPos[i]) {
                s[j] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double dot = 0;
            for (int x = 0; x < d; x++) dot += (double) q[i * heads * d + h * d + x] * k[(kvh * capacity + j) * d + x];
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
        }
        double[] p = new double[nk];
        if (max == Double.NEGATIVE_INFINITY) return p;
        double sum = 0;
        for (int j = 0; j < nk; j++) sum += Math.exp(s[j] - max);
        for (int j = 0; j < nk; j++) p[j] = Math.exp(s[j] - max) / sum;
        return p;
    }
}
