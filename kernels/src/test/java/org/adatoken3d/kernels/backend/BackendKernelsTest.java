package org.adatoken3d.kernels.backend;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every kernel of a device {@link Backend} against the scalar reference, on seeded random shapes small enough for
 * PoCL on two cores. A backend's test extends this and says only how to open its device. Bounds are those of the
 * CPU kernels' tests: the device computes in f32 in an order of its own, the reference in double, and each bound
 * holds for any summation order and FMA use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendKernelsTest {
    protected static final double U = Math.ulp(1f) / 2;

    /** Reads back an i32 tensor, which {@link Backend} leaves to each backend (the tests check cached positions). */
    @FunctionalInterface
    public interface IntReader {
        void read(Tensor src, int length, int[] dst);
    }

    /** The backend under test and its i32 read-back. */
    public record Device(Backend backend, IntReader readInts) {}

    private Device device;
    private Backend backend;

    /** Opens the device the tests run on; fails (or aborts, saying so loudly) where there is none. */
    protected abstract Device open();

    /** Whether the backend has GELU kernels; one without them must refuse GELU-gated MLPs. */
    protected boolean runsGelu() {
        return true;
    }

    @BeforeAll
    void openDevice() {
        device = open();
        backend = device.backend();
    }

    @AfterAll
    void closeDevice() {
        if (backend != null) backend.close();
    }

    /** Runs a seeded property under the backend test class's name, whose replay command is the one Surefire can run. */
    private void cases(String name, int count, SeededCases.Case check) {
        SeededCases.run(getClass(), getClass().getSimpleName() + "." + name, count, check);
    }

    /** Random weights stored in {@code format}, and the f32 values they stand for. */
    record Stored(WeightMatrix matrix, float[] values) {
        static Stored random(SplittableRandom r, WeightFormat format, int n, int k) {
            float[] v = uniform(r, n * k, 1f);
            int bytes = format == WeightFormat.F32 ? 4 : 2;
            MemorySegment seg = Arena.ofAuto().allocate((long) n * k * bytes);
            ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ValueLayout.OfShort i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.length; i++) {
                switch (format) {
                    case F32 -> seg.setAtIndex(f32, i, v[i]);
                    case F16 -> {
                        short h = Float.floatToFloat16(v[i]);
                        seg.setAtIndex(i16, i, h);
                        v[i] = Float.float16ToFloat(h);
                    }
                    case BF16 -> {
                        short b = (short) (Float.floatToRawIntBits(v[i]) >>> 16);
                        seg.setAtIndex(i16, i, b);
                        v[i] = ReferenceKernels.bf16(b);
                    }
                    default -> throw new AssertionError(format);
                }
            }
            return new Stored(WeightMatrix.of(seg, format, n, k), v);
        }
    }

    private Tensor upload(float[] values, int rows, int cols) {
        Tensor t = backend.allocate(rows, cols);
        backend.write(t, values, rows);
        return t;
    }

    private Tensor uploadInts(int[] values) {
        Tensor t = backend.allocateInts(values.length);
        backend.writeInts(t, values, values.length);
        return t;
    }

    private float[] download(Tensor t, int rows) {
        float[] out = new float[rows * t.cols()];
        backend.read(t, 0, rows, out);
        return out;
    }

    /**
     * Any f32 sum of K products is within γ_K·Σ|a_k·w_k| of the exact sum (Higham §3.1), whatever the order or
     * FMA use; both the tiled GEMM (rows > 1) and the GEMV reduction (one row) must meet it.
     */
    @Test
    void gemmMatchesReferenceForEveryStoredFormat() {
        cases("gemmMatchesReference", 45, r -> {
            WeightFormat format = new WeightFormat[] {WeightFormat.F32, WeightFormat.F16, WeightFormat.BF16}[r.nextInt(3)];
            int m = r.nextInt(3) == 0 ? 1 : between(r, 2, 70), n = between(r, 1, 140), k = between(r, 1, 150);
            Stored w = Stored.random(r, format, n, k);
            float[] a = uniform(r, m * k, 1f);
            Tensor at = upload(a, m, k), ct = upload(uniform(r, m * n, 100f), m, n);
            backend.gemm(at, m, backend.resident(w.matrix()), ct);
            float[] c = download(ct, m), ref = ReferenceKernels.gemm(a, m, w.values(), n, k);
            double gamma = k * U / (1 - k * U);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double magnitude = 0;
                    for (int x = 0; x < k; x++) magnitude += Math.abs((double) a[i * k + x] * w.values()[j * k + x]);
                    double tol = 2 * gamma * magnitude + 1e-30;
                    if (!(Math.abs(c[i * n + j] - ref[i * n + j]) <= tol)) {
                        fail(format + " " + m + "x" + n + "x" + k + ": c[" + i + "][" + j + "] = " + c[i * n + j] + ", reference "
                                + ref[i * n + j] + ", tolerance " + tol);
                    }
                }
            }
        });
    }

    @Test
    void quantisedWeightsAreRefusedWithAClearMessage() {
        Stored w = Stored.random(new SplittableRandom(1), WeightFormat.F32, 4, 32);
        for (WeightMatrix q : new WeightMatrix[] {w.matrix().toQ8_0(), w.matrix().toQ4_0()}) {
            EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> backend.resident(q));
            assertEquals("storage", e.parameter(), e.getMessage());
            assertTrue(e.getMessage().contains(q.format().name()), e.getMessage());
        }
    }

    /** The sum of squares in f32 is within γ_dim of exact; sqrt, the reciprocal and two products add a few u. */
    @Test
    void rmsNormMatchesReferenceAlsoInPlace() {
        cases("rmsNormMatchesReference", 30, r -> {
            int rows = between(r, 1, 12), dim = between(r, 1, 300);
            float[] x = uniform(r, rows * dim, r.nextBoolean() ? 1f : 30f), w = uniform(r, dim, 2f);
            float eps = r.nextBoolean() ? 1e-5f : 1e-6f;
            Tensor xt = upload(x, rows, dim), wt = backend.vector(w);
            boolean inPlace = r.nextBoolean();
            Tensor out = inPlace ? xt : backend.allocate(rows, dim);
            backend.rmsNorm(xt, rows, wt, eps, out);
            float[] got = download(out, rows), ref = ReferenceKernels.rmsNorm(x, rows, dim, w, eps);
            for (int i = 0; i < got.length; i++) {
                double tol = (dim + 8) * U * Math.abs(ref[i]) + 1e-30;
                assertEquals(ref[i], got[i], tol, "row " + i / dim + " element " + i % dim + (inPlace ? " (in place)" : ""));
            }
        });
    }

    /** Each rotated value is two f32 products and a sum of cos/sin within an ulp of exact: a few u of |x1| + |x2|. */
    @Test
    void ropeMatchesReferenceForBothStylesAtAnyPositions() {
        cases("ropeMatchesReference", 30, r -> {
            int rows = between(r, 1, 10), heads = between(r, 1, 4), headDim = 2 * between(r, 1, 40);
            RopeStyle style = r.nextBoolean() ? RopeStyle.ROTATE_HALF : RopeStyle.INTERLEAVED;
            double theta = r.nextBoolean() ? 10000 : 1e6;
            int[] pos = new int[rows];
            for (int i = 0; i < rows; i++) pos[i] = r.nextInt(6000);
            float[] x = uniform(r, rows * heads * headDim, 2f);
            Tensor xt = upload(x, rows, heads * headDim);
            backend.rope(xt, rows, heads, new Rope(headDim, theta, style), uploadInts(pos));
            float[] got = download(xt, rows);
            float[] ref = ReferenceKernels.rope(x, rows, heads, headDim, theta, style == RopeStyle.INTERLEAVED, pos);
            int half = headDim / 2;
            for (int i = 0; i < got.length; i++) {
                int base = i / headDim * headDim, d = i % headDim;
                int pair = style == RopeStyle.INTERLEAVED ? base + (d ^ 1) : base + (d < half ? d + half : d - half);
                double tol = 8 * U * (Math.abs(x[i]) + Math.abs(x[pair])) + 1e-30;
                assertEquals(ref[i], got[i], tol, style + " theta " + theta + " element " + i + " position " + pos[i / (heads * headDim)]);
            }
        });
    }

    /** silu·mul: exp within a few ulp, then a division, a sum and a product: 8 u of |g·u| suffices. Sums are exact. */
    @Test
    void siluMulAddAndBiasMatchReference() {
        cases("elementwiseMatchesReference", 30, r -> {
            int rows = between(r, 1, 9), cols = between(r, 1, 200), n = rows * cols;
            float[] g = uniform(r, n, 8f), u = uniform(r, n, 2f), bias = uniform(r, cols, 1f);
            Tensor gt = upload(g, rows, cols), ut = upload(u, rows, cols);
            backend.siluMul(gt, ut, rows);
            float[] got = download(gt, rows), ref = ReferenceKernels.siluMul(g, u, n);
            for (int i = 0; i < n; i++) assertEquals(ref[i], got[i], 8 * U * Math.abs(g[i] * u[i]) + 1e-30, "silu·mul " + i);

            backend.add(gt, ut, rows);
            float[] sum = download(gt, rows);
            for (int i = 0; i < n; i++) assertEquals(got[i] + u[i], sum[i], 0f, "add " + i);
            backend.addBias(gt, rows, backend.vector(bias));
            float[] biased = download(gt, rows);
            for (int i = 0; i < n; i++) assertEquals(sum[i] + bias[i % cols], biased[i], 0f, "bias " + i);
        });
    }

    /**
     * gelu·mul in every form against the double reference: OpenCL's erf and exp are within 16 and 3 ulp. A backend
     * without GELU kernels must refuse every form, never run another activation in its place.
     */
    @Test
    void geluMulMatchesReferenceInEveryFormOrIsRefused() {
        if (!runsGelu()) {
            Tensor g = backend.allocate(1, 4), u = backend.allocate(1, 4);
            for (GeluForm form : GeluForm.values()) {
                EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> backend.geluMul(g, u, 1, form));
                assertEquals("device", e.parameter(), e.getMessage());
                assertTrue(e.getMessage().contains(form.name()), e.getMessage());
            }
            return;
        }
        cases("geluMulMatchesReference", 30, r -> {
            int rows = between(r, 1, 9), cols = between(r, 1, 200), n = rows * cols;
            float[] g = uniform(r, n, 6f), u = uniform(r, n, 2f);
            for (GeluForm form : GeluForm.values()) {
                Tensor gt = upload(g, rows, cols), ut = upload(u, rows, cols);
                backend.geluMul(gt, ut, rows, form);
                float[] got = download(gt, rows), gelu = ReferenceKernels.gelu(g, n, form.name().toLowerCase());
                for (int i = 0; i < n; i++) {
                    double ref = (double) gelu[i] * u[i];
                    assertEquals(ref, got[i], 64 * U * (Math.abs(g[i]) + 1) * Math.abs(u[i]) * (1 + Math.abs(g[i])) + 1e-30,
                            form + " gelu·mul " + i + " of " + g[i]);
                }
                backend.free(gt);
                backend.free(ut);
            }
        });
    }

    @Test
    void gatherAndCopyRowsMoveWholeRows() {
        cases("rowMovesAreExact", 20, r -> {
            int rows = between(r, 1, 30), cols = between(r, 1, 50);
            float[] x = uniform(r, rows * cols, 1f);
            int[] keep = java.util.stream.IntStream.range(0, rows).filter(i -> r.nextBoolean()).toArray();
            Tensor src = upload(x, rows, cols), dst = backend.allocate(rows, cols);
            backend.gatherRows(src, keep, dst);
            float[] got = download(dst, keep.length);
            for (int i = 0; i < keep.length; i++) {
                for (int c = 0; c < cols; c++) assertEquals(x[keep[i] * cols + c], got[i * cols + c], 0f, "gathered row " + i);
            }
            int from = r.nextInt(rows), count = between(r, 0, rows - from), to = r.nextInt(rows - count + 1);
            backend.copyRows(src, from, count, dst, to);
            float[] copied = download(dst, rows);
            for (int i = 0; i < count; i++) {
                for (int c = 0; c < cols; c++) assertEquals(x[(from + i) * cols + c], copied[(to + i) * cols + c], 0f, "copied row " + i);
            }
        });
    }

    /** A random cache filled through appendKv in chunks, and queries against it. */
    record Problem(AttentionShape shape, int nq, int[] qPos, int nk, int capacity, int[] kPos, float[] q, float[] kRows,
                   float[] vRows) {
        static Problem random(SplittableRandom r) {
            int kvHeads = between(r, 1, 3), group = new int[] {1, 2, 4}[r.nextInt(3)];
            int d = new int[] {8, 16, 32, 64}[r.nextInt(4)];
            AttentionShape shape = new AttentionShape(kvHeads * group, kvHeads, d);
            int nk = between(r, 1, 90), capacity = nk + between(r, 0, 5);
            int[] kPos = new int[nk];
            int nq;
            int[] qPos;
            switch (r.nextInt(3)) {
                case 0 -> { // decode after a pruned prompt: increasing positions with gaps
                    for (int j = 0, p = 0; j < nk; j++, p += 1 + (r.nextInt(3) == 0 ? r.nextInt(9) : 0)) kPos[j] = p;
                    nq = 1;
                    qPos = new int[] {kPos[nk - 1] + r.nextInt(2)};
                }
                case 1 -> { // prefill: the queries are the keys
                    for (int j = 0, p = r.nextInt(5); j < nk; j++, p += 1 + (r.nextInt(4) == 0 ? r.nextInt(30) : 0)) kPos[j] = p;
                    nq = nk;
                    qPos = kPos.clone();
                }
                default -> { // anything: unsorted, repeated, queries that see nothing
                    for (int j = 0; j < nk; j++) kPos[j] = r.nextInt(100);
                    nq = between(r, 1, 40);
                    qPos = new int[nq];
                    for (int i = 0; i < nq; i++) qPos[i] = r.nextInt(110) - 5;
                }
            }
            float scale = r.nextBoolean() ? 1f : 4f;
            return new Problem(shape, nq, qPos, nk, capacity, kPos, uniform(r, nq * shape.width(), scale),
                    uniform(r, nk * kvHeads * d, 1f), uniform(r, nk * kvHeads * d, 1f));
        }

        /** The cache as the reference reads it: head-major {@code [kvHeads][capacity][d]}. */
        float[] headMajor(float[] rows) {
            int d = shape.headDim(), kvh = shape.kvHeads();
            float[] out = new float[kvh * capacity * d];
            for (int j = 0; j < nk; j++) {
                for (int h = 0; h < kvh; h++) System.arraycopy(rows, (j * kvh + h) * d, out, (h * capacity + j) * d, d);
            }
            return out;
        }

        /**
         * Relative error bound of any probability of query row i, as AttentionTest derives it: each f32 score is
         * within δ = 2(d + 2)·u·scale·|q_i|·max|k| of exact, moving a probability by a factor within e^{±2δ}; then
         * exp of a rounded argument, the running sum over nk keys and a few more roundings.
         */
        double probabilityError(int i) {
            int d = shape.headDim();
            double scale = 1 / Math.sqrt(d), maxK = 0, qNorm = 0;
            for (int h = 0; h < shape.heads(); h++) {
                double n = 0;
                for (int x = 0; x < d; x++) n += (double) q[i * shape.width() + h * d + x] * q[i * shape.width() + h * d + x];
                qNorm = Math.max(qNorm, Math.sqrt(n));
            }
            for (int j = 0; j < nk * shape.kvHeads(); j++) {
                double n = 0;
                for (int x = 0; x < d; x++) n += (double) kRows[j * d + x] * kRows[j * d + x];
                maxK = Math.max(maxK, Math.sqrt(n));
            }
            double maxScore = scale * qNorm * maxK;
            double delta = 2 * (d + 2) * U * scale * qNorm * maxK;
            return Math.expm1(2 * delta) + (4 * maxScore + 2 * nk + 16) * U;
        }
    }

    @Test
    void kvAppendLaysOutTheCacheHeadMajor() {
        cases("kvAppendLayout", 15, r -> {
            Problem p = Problem.random(r);
            KvLayer cache = fill(p, r);
            float[] keys = download(cache.keys(), p.shape().kvHeads() * p.capacity());
            float[] expected = p.headMajor(p.kRows());
            int d = p.shape().headDim();
            for (int h = 0; h < p.shape().kvHeads(); h++) {
                for (int j = 0; j < p.nk(); j++) {
                    for (int x = 0; x < d; x++) {
                        int e = (h * p.capacity() + j) * d + x;
                        assertEquals(expected[e], keys[e], 0f, "key head " + h + " row " + j + " dim " + x);
                    }
                }
            }
            int[] positions = new int[p.nk()];
            device.readInts().read(cache.positions(), p.nk(), positions);
            assertArrayEquals(p.kPos(), positions, "cached positions");
        });
    }

    @Test
    void attentionAndContributionMatchReference() {
        cases("attentionMatchesReference", 40, r -> {
            Problem p = Problem.random(r);
            AttentionShape s = p.shape();
            KvLayer cache = fill(p, r);
            Tensor out = upload(uniform(r, p.nq() * s.width(), 9f), p.nq(), s.width());
            int[] rows = java.util.stream.IntStream.range(0, p.nq()).filter(i -> r.nextInt(3) == 0).toArray();
            int keyStart = r.nextInt(p.nk()), keyCount = between(r, 0, p.nk() - keyStart);
            ContributionProbe probe = r.nextInt(4) == 0 ? null : new ContributionProbe(rows, keyStart, keyCount);
            float[] contribution = backend.attention(upload(p.q(), p.nq(), s.width()), p.nq(), uploadInts(p.qPos()), cache, p.nk(), s, out, probe);

            float[] k = p.headMajor(p.kRows()), v = p.headMajor(p.vRows());
            float[] ref = ReferenceKernels.attention(p.q(), p.nq(), p.qPos(), k, v, p.capacity(), p.nk(), p.kPos(), s.heads(), s.kvHeads(), s.headDim());
            float[] got = download(out, p.nq());
            double worst = 0;
            for (int i = 0; i < p.nq(); i++) {
                double tol = p.probabilityError(i) + (p.nk() + 4) * U + 1e-30;
                worst = Math.max(worst, p.probabilityError(i));
                for (int c = 0; c < s.width(); c++) {
                    int e = i * s.width() + c;
                    if (!(Math.abs(got[e] - ref[e]) <= tol)) {
                        fail("query " + i + " (position " + p.qPos()[i] + ") head " + c / s.headDim() + " dim " + c % s.headDim() + ": "
                                + got[e] + " vs " + ref[e] + ", tol " + tol + " [" + s + ", nq " + p.nq() + ", nk " + p.nk() + "]");
                    }
                }
            }
            if (probe == null) {
                assertEquals(null, contribution, "no probe, no contribution");
                return;
            }
            float[] expected = ReferenceKernels.contribution(p.q(), p.nq(), p.qPos(), k, p.capacity(), p.nk(), p.kPos(), s.heads(),
                    s.kvHeads(), s.headDim(), rows, keyStart, keyCount);
            assertEquals(keyCount, contribution.length, "contribution length");
            double tol = worst + 2.0 * s.heads() * rows.length * U + 1e-30;
            for (int j = 0; j < keyCount; j++) {
                assertEquals(expected[j], contribution[j], tol, "contribution of key " + (keyStart + j) + " over rows "
                        + java.util.Arrays.toString(rows));
            }
        });
    }

    /** Appends the problem's keys in one to three chunks, as prefill and decoding do. */
    private KvLayer fill(Problem p, SplittableRandom r) {
        int kvh = p.shape().kvHeads(), d = p.shape().headDim(), width = kvh * d;
        KvLayer cache = new KvLayer(backend.allocate(kvh * p.capacity(), d), backend.allocate(kvh * p.capacity(), d),
                backend.allocateInts(p.capacity()), kvh, p.capacity());
        int start = 0;
        while (start < p.nk()) {
            int rows = Math.min(p.nk() - start, between(r, 1, p.nk()));
            float[] k = java.util.Arrays.copyOfRange(p.kRows(), start * width, (start + rows) * width);
            float[] v = java.util.Arrays.copyOfRange(p.vRows(), start * width, (start + rows) * width);
            int[] pos = java.util.Arrays.copyOfRange(p.kPos(), start, start + rows);
            backend.appendKv(upload(k, rows, width), upload(v, rows, width), uploadInts(pos), rows, cache, start);
            start += rows;
        }
        return cache;
    }

    /** Calls outside a tensor are refused on the host: a device kernel would read or write another tensor's memory. */
    @Test
    void callsOutsideATensorAreRefusedBeforeAnyKernelRuns() {
        Tensor a = backend.allocate(3, 8), c = backend.allocate(3, 4), positions = backend.allocateInts(3);
        ResidentMatrix w = backend.resident(Stored.random(new SplittableRandom(2), WeightFormat.F32, 4, 8).matrix());
        ResidentMatrix wide = backend.resident(Stored.random(new SplittableRandom(3), WeightFormat.F32, 4, 6).matrix());
        refused("4 rows asked of a tensor of 3", () -> backend.gemm(a, 4, w, c));
        refused("gemm: a is 8 wide and c 4, W is 4 x 6", () -> backend.gemm(a, 1, wide, c));
        refused("rows [2, 4) are outside a tensor of 3", () -> backend.read(a, 2, 2, new float[16]));
        refused("expected an f32 tensor, got i32 3 x 1", () -> backend.add(positions, a, 1));
        refused("expected an i32 tensor, got f32 3 x 8", () -> backend.rope(a, 1, 1, new Rope(8, 10000, RopeStyle.ROTATE_HALF), a));
        refused("rope: rows are 8 wide, 2 heads of 8 expected", () -> backend.rope(a, 1, 2, new Rope(8, 10000, RopeStyle.ROTATE_HALF), positions));
        refused("row 3 is outside a tensor of 3 rows", () -> backend.gatherRows(a, new int[] {0, 3}, backend.allocate(2, 8)));
        refused("copyRows: rows [2, 4) of 3 x 8 to row 0 of 3 x 8", () -> backend.copyRows(a, 2, 2, backend.allocate(3, 8), 0));
        refused("copyRows: rows [0, 1) of 3 x 8 to row 0 of 3 x 4", () -> backend.copyRows(a, 0, 1, c, 0));
        refused("negative tensor shape -1 x 2", () -> backend.allocate(-1, 2));

        AttentionShape shape = new AttentionShape(2, 1, 4);
        KvLayer cache = new KvLayer(backend.allocate(2, 4), backend.allocate(2, 4), backend.allocateInts(2), 1, 2);
        Tensor q = backend.allocate(1, 8), out = backend.allocate(1, 8);
        IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> backend.appendKv(backend.allocate(2, 4), backend.allocate(2, 4), backend.allocateInts(2), 2, cache, 1));
        assertEquals("KV cache rows [1, 3) exceed its capacity 2", full.getMessage());
        refused("key count 3 is outside [0, capacity 2]", () -> backend.attention(q, 1, positions, cache, 3, shape, out, null));
        refused("probe keys [1, 3) go past the 2 cached keys",
                () -> backend.attention(q, 1, positions, cache, 2, shape, out, new ContributionProbe(new int[] {0}, 1, 2)));
        refused("probe query row 1 is outside the 1 query rows",
                () -> backend.attention(q, 1, positions, cache, 2, shape, out, new ContributionProbe(new int[] {1}, 0, 1)));
        refused("does not match the cache's 1 x 4", () -> backend.attention(q, 1, positions, cache, 2, new AttentionShape(1, 1, 8), out, null));
    }

    private static void refused(String message, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, message);
        assertTrue(e.getMessage().contains(message), "expected \"" + message + "\", got \"" + e.getMessage() + "\"");
    }
}
