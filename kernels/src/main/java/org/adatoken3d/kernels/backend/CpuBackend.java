package org.adatoken3d.kernels.backend;

import org.adatoken3d.kernels.Activations;
import org.adatoken3d.kernels.Attention;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.RmsNorm;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.Vectors;
import org.adatoken3d.kernels.WeightMatrix;

/**
 * The Vector API kernels behind the {@link Backend} seam: tensors are Java arrays and every operation is a direct
 * call of the static kernel, so the seam costs the CPU path nothing but an interface call per operation.
 */
public final class CpuBackend implements Backend {
    /** A tensor on the Java heap; exactly one of the arrays is set. */
    record CpuTensor(int rows, int cols, float[] floats, int[] ints) implements Tensor {}

    record CpuMatrix(WeightMatrix matrix) implements ResidentMatrix {
        @Override
        public int rows() {
            return matrix.rows();
        }

        @Override
        public int cols() {
            return matrix.cols();
        }
    }

    @Override
    public String description() {
        return "cpu (Vector API, " + Parallel.threads() + " threads)";
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        return new CpuTensor(rows, cols, new float[Math.multiplyExact(rows, cols)], null);
    }

    @Override
    public Tensor allocateInts(int length) {
        return new CpuTensor(length, 1, null, new int[length]);
    }

    /** The garbage collector reclaims heap tensors. */
    @Override
    public void free(Tensor t) {}

    @Override
    public void write(Tensor dst, float[] src, int rows) {
        System.arraycopy(src, 0, f(dst), 0, rows * dst.cols());
    }

    @Override
    public void writeInts(Tensor dst, int[] src, int length) {
        System.arraycopy(src, 0, i(dst), 0, length);
    }

    @Override
    public void read(Tensor src, int rowFrom, int rows, float[] dst) {
        System.arraycopy(f(src), rowFrom * src.cols(), dst, 0, rows * src.cols());
    }

    @Override
    public ResidentMatrix resident(WeightMatrix w) {
        return new CpuMatrix(w);
    }

    @Override
    public Tensor vector(float[] values) {
        return new CpuTensor(1, values.length, values.clone(), null);
    }

    @Override
    public void rmsNorm(Tensor x, int rows, Tensor weight, float eps, Tensor out) {
        RmsNorm.apply(f(x), rows, x.cols(), f(weight), eps, f(out));
    }

    @Override
    public void gemm(Tensor a, int rows, ResidentMatrix w, Tensor c) {
        Gemm.multiply(f(a), rows, ((CpuMatrix) w).matrix(), f(c));
    }

    @Override
    public void addBias(Tensor x, int rows, Tensor bias) {
        Vectors.addBias(f(x), rows, f(bias));
    }

    @Override
    public void rope(Tensor x, int rows, int heads, Rope rope, Tensor positions) {
        rope.apply(f(x), rows, heads, i(positions));
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, int rows) {
        Activations.siluMul(f(gate), f(up), rows * gate.cols());
    }

    @Override
    public void geluMul(Tensor gate, Tensor up, int rows, GeluForm form) {
        Activations.geluMul(f(gate), f(up), rows * gate.cols(), form);
    }

    @Override
    public void add(Tensor acc, Tensor x, int rows) {
        Vectors.add(f(acc), f(x), rows * acc.cols());
    }

    @Override
    public void appendKv(Tensor k, Tensor v, Tensor positions, int rows, KvLayer cache, int start) {
        int headDim = cache.headDim(), kvHeads = cache.kvHeads(), capacity = cache.capacity(), width = kvHeads * headDim;
        if (start + rows > capacity) throw new IllegalStateException("KV cache is full (" + capacity + " rows)");
        float[] ks = f(k), vs = f(v), kc = f(cache.keys()), vc = f(cache.values());
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < kvHeads; h++) {
                int dst = (h * capacity + start + r) * headDim;
                System.arraycopy(ks, r * width + h * headDim, kc, dst, headDim);
                System.arraycopy(vs, r * width + h * headDim, vc, dst, headDim);
            }
        }
        System.arraycopy(i(positions), 0, i(cache.positions()), start, rows);
    }

    @Override
    public float[] attention(Tensor q, int nq, Tensor qPositions, KvLayer cache, int nk, AttentionShape shape, Tensor out,
                             ContributionProbe probe) {
        Attention.compute(f(q), nq, i(qPositions), f(cache.keys()), f(cache.values()), cache.capacity(), nk,
                i(cache.positions()), shape, f(out), probe);
        return probe == null ? null : probe.contribution().clone();
    }

    @Override
    public void gatherRows(Tensor src, int[] rows, Tensor dst) {
        float[] s = f(src), d = f(dst);
        int width = src.cols();
        for (int r = 0; r < rows.length; r++) System.arraycopy(s, rows[r] * width, d, r * width, width);
    }

    @Override
    public void copyRows(Tensor src, int from, int rows, Tensor dst, int dstFrom) {
        System.arraycopy(f(src), from * src.cols(), f(dst), dstFrom * dst.cols(), rows * src.cols());
    }

    @Override
    public void close() {}

    private static float[] f(Tensor t) {
        float[] a = ((CpuTensor) t).floats();
        DeviceArguments.floats(t, a == null);
        return a;
    }

    private static int[] i(Tensor t) {
        int[] a = ((CpuTensor) t).ints();
        DeviceArguments.ints(t, a != null);
        return a;
    }

    @Override
    public String toString() {
        return description();
    }
}
