package org.adatoken3d.kernels;

import static org.adatoken3d.testing.SeededCases.between;
import static org.adatoken3d.testing.SeededCases.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.adatoken3d.kernels.reference.ReferenceKernels;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;

class AttentionTest {
    static final double U = GemmTest.U;

    /** One random attention problem: cache rows past nk hold garbage that must be ignored. */
    record Problem(AttentionShape shape, int nq, int[] qPos, int nk, int capacity, int[] kPos, float[] q, float[] k, float[] v) {
        static Problem random(SplittableRandom rnd, boolean decode) {
            int kvHeads = between(rnd, 1, 3), group = new int[] {1, 1, 2, 4}[rnd.nextInt(4)];
            int[] dims = {16, 32, 48, 64, 128, 8, 20, 36};
            int d = dims[rnd.nextInt(dims.length)];
            AttentionShape shape = new AttentionShape(kvHeads * group, kvHeads, d);
            int nk = decode ? between(rnd, 1, 300) : between(rnd, 1, 170);
            int capacity = nk + between(rnd, 0, 7);
            int[] kPos = new int[nk];
            int nq;
            int[] qPos;
            if (decode) {
                // A (possibly pruned) cache: increasing positions with gaps; new queries after it.
                for (int j = 0, p = 0; j < nk; j++, p += 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(9) : 0)) kPos[j] = p;
                nq = between(rnd, 1, Attention.ROW_PATH_MAX_QUERIES);
                qPos = new int[nq];
                for (int i = 0; i < nq; i++) qPos[i] = kPos[nk - 1] - nq + 1 + i + rnd.nextInt(3);
            } else if (rnd.nextInt(3) > 0) {
                // Prefill: queries are the keys (kept tokens keep original, non-consecutive positions).
                for (int j = 0, p = rnd.nextInt(5); j < nk; j++, p += 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(30) : 0)) kPos[j] = p;
                nq = nk;
                qPos = kPos.clone();
            } else {
                // Anything: unsorted, repeated positions on both sides, some queries that see nothing.
                for (int j = 0; j < nk; j++) kPos[j] = rnd.nextInt(100);
                nq = between(rnd, 1, 130);
                qPos = new int[nq];
                for (int i = 0; i < nq; i++) qPos[i] = rnd.nextInt(110) - 5;
            }
            float scale = rnd.nextBoolean() ? 1f : 4f;
            float[] q = uniform(rnd, nq * shape.width(), scale);
            float[] k = uniform(rnd, kvHeads * capacity * d, 1f), v = uniform(rnd, kvHeads * capacity * d, 1f);
            for (int h = 0; h < kvHeads; h++) {
                for (int j = nk; j < capacity; j++) {
                    Arrays.fill(k, (h * capacity + j) * d, (h * capacity + j + 1) * d, Float.NaN);
                    Arrays.fill(v, (h * capacity + j) * d, (h * capacity + j + 1) * d, Float.NaN);
                }
            }
            return new Problem(shape, nq, qPos, nk, capacity, kPos, q, k, v);
        }

        /**
         * Bound on the relative error of any probability of query row i: each f32 score (q·scale)·k is within
         * δ = 2(d + 2)·u·scale·|q_i|·max|k| of the exact one (γ_d of Σ|q·k|, bounded by Cauchy–Schwarz), which moves
         * a softmax probability by a factor within e^{±2δ}; then e^y of a rounded y (relative |y|·u, |y| at most
         * twice the largest |score|), the running sum over nk keys (γ_nk) and a few more roundings.
         */
        double probabilityError(int i) {
            int d = shape.headDim();
            double scale = 1 / Math.sqrt(d), maxK = 0, maxScore = 0, qNorm = 0;
            for (int h = 0; h < shape.heads(); h++) {
                double n = 0;
                for (int x = 0; x < d; x++) n += (double) q[i * shape.width() + h * d + x] * q[i * shape.width() + h * d + x];
                qNorm = Math.max(qNorm, Math.sqrt(n));
            }
            for (int j = 0; j < shape.kvHeads() * capacity; j++) {
                if (j % capacity >= nk) continue;
                double n = 0;
                for (int x = 0; x < d; x++) n += (double) k[j * d + x] * k[j * d + x];
                maxK = Math.max(maxK, Math.sqrt(n));
            }
            maxScore = scale * qNorm * maxK;
            double delta = 2 * (d + 2) * U * scale * qNorm * maxK;
            return Math.expm1(2 * delta) + (4 * maxScore + 2 * nk + 16) * U;
        }
    }

    static float[] run(Problem p, ContributionProbe probe) {
        float[] out = uniform(new SplittableRandom(7), p.nq * p.shape.width(), 9f); // garbage to be overwritten
        Attention.compute(p.q, p.nq, p.qPos, p.k, p.v, p.capacity, p.nk, p.kPos, p.shape, out, probe);
        return out;
    }

    /** Output error ≤ max|v| · (Σ_j |Δp_j| + γ_nk), with Σ_j |Δp_j| ≤ the probability bound above. */
    static void assertMatchesReference(Problem p, float[] out) {
        AttentionShape s = p.shape;
        float[] ref = ReferenceKernels.attention(p.q, p.nq, p.qPos, p.k, p.v, p.capacity, p.nk, p.kPos, s.heads(), s.kvHeads(), s.headDim());
        for (int i = 0; i < p.nq; i++) {
            double tol = p.probabilityError(i) + (p.nk + 4) * U + 1e-30;
            for (int c = 0; c < s.width(); c++) {
                int e = i * s.width() + c;
                if (!(Math.abs(out[e] - ref[e]) <= tol)) {
                    fail("query " + i + " (position " + p.qPos[i] + ") head " + c / s.headDim() + " dim " + c % s.headDim() + ": "
                            + out[e] + " vs " + ref[e] + ", tol " + tol + " [" + s + ", nq " + p.nq + ", nk " + p.nk + "]");
                }
            }
        }
    }

    @Test
    void prefillAttentionMatchesReference() {
        SeededCases.run("prefillAttentionMatchesReference", 60, rnd -> {
            Problem p = Problem.random(rnd, false);
            assertMatchesReference(p, run(p, null));
        });
    }

    @Test
    void decodeAttentionMatchesReference() {
        SeededCases.run("decodeAttentionMatchesReference", 80, rnd -> {
            Problem p = Problem.random(rnd, true);
            assertMatchesReference(p, run(p, null));
        });
    }

    /**
     * The probe's a_j against the definition, for any rows and key range, on both paths; each probability is
     * within the bound above (relative), so their average is too, plus γ of the average's own sum.
     */
    @Test
    void contributionMatchesReferenceAndLeavesOutputUnchanged() {
        SeededCases.run("contributionMatchesReferenceAndLeavesOutputUnchanged", 60, rnd -> {
            Problem p = Problem.random(rnd, rnd.nextInt(3) == 0);
            int[] rows = rnd.ints(0, p.nq).distinct().limit(between(rnd, 0, Math.min(p.nq, 12))).toArray();
            if (rows.length == 0 && p.nq > 0) rows = new int[] {p.nq - 1};
            int keyStart = rnd.nextInt(p.nk), keyCount = between(rnd, 0, p.nk - keyStart);
            ContributionProbe probe = new ContributionProbe(rows, keyStart, keyCount);
            float[] withProbe = run(p, probe);
            // The probe only reads scores the kernel already has, so the two outputs agree to rounding. Not
            // bit-for-bit: Math.exp may differ by one ulp between interpreted and JIT-compiled code, and the two
            // calls can run at different compilation tiers.
            float[] without = run(p, null);
            for (int i = 0; i < without.length; i++) {
                float bound = 4 * Math.ulp(Math.max(Math.abs(without[i]), 1e-6f));
                assertEquals(without[i], withProbe[i], bound, "the probe must not change the attention output (index " + i + ")");
            }
            AttentionShape s = p.shape;
            float[] ref = ReferenceKernels.contribution(p.q, p.nq, p.qPos, p.k, p.capacity, p.nk, p.kPos, s.heads(), s.kvHeads(), s.headDim(),
                    rows, keyStart, keyCount);
            double worst = 0;
            for (int i : rows) worst = Math.max(worst, p.probabilityError(i));
            double rel = worst + (s.heads() * rows.length + 4) * U;
            float[] a = probe.contribution();
            for (int j = 0; j < keyCount; j++) {
                if (!(Math.abs(a[j] - ref[j]) <= rel * ref[j] + 1e-30)) {
                    fail("key " + (keyStart + j) + ": a = " + a[j] + ", reference " + ref[j] + " [" + s + ", nq " + p.nq + ", nk " + p.nk
                            + ", rows " + Arrays.toString(rows) + "]");
                }
            }
        });
    }

    @Test
    void probeIsReusableAcrossCalls() {
        SplittableRandom rnd = new SplittableRandom(11);
        Problem big = Problem.random(rnd, false), small = Problem.random(rnd, true);
        ContributionProbe probe = new ContributionProbe(new int[] {0}, 0, 1);
        run(big, probe);
        float first = probe.contribution()[0];
        run(small, probe);
        run(big, probe);
        assertArrayEquals(new float[] {first}, probe.contribution());
    }

    @Test
    void rejectsInconsistentArguments() {
        AttentionShape shape = new AttentionShape(4, 2, 16);
        float[] q = new float[2 * 64], kv = new float[2 * 10 * 16], out = new float[2 * 64];
        int[] pos = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThrows(IllegalArgumentException.class, () -> new AttentionShape(3, 2, 16));
        assertThrows(IllegalArgumentException.class, () -> Attention.compute(q, 2, pos, kv, kv, 10, 11, pos, shape, out, null));
        assertThrows(IllegalArgumentException.class, () -> Attention.compute(q, 3, pos, kv, kv, 10, 5, pos, shape, out, null));
        assertThrows(IllegalArgumentException.class,
                () -> Attention.compute(q, 2, pos, kv, kv, 10, 5, pos, shape, out, new ContributionProbe(new int[] {2}, 0, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> Attention.compute(q, 2, pos, kv, kv, 10, 5, pos, shape, out, new ContributionProbe(new int[] {0}, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> new ContributionProbe(new int[] {1, 1}, 0, 1));
    }
}
