package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.I;
import static org.adatoken3d.kernels.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Scaled dot-product attention, flash-style: causal by explicit positions, grouped-query, over a KV cache, with
 * optional contribution scores for pruning.
 *
 * <p><b>Tiled path</b> (prefill): for each head and tile of {@link #BQ} queries, walk the key tiles of
 * {@link #BK} keys keeping an online softmax (running max m, running sum l, output accumulator O rescaled by
 * e^(m_old − m_new)), so memory stays O(tile) and no nq×nk matrix exists. Both products are register-blocked:
 * the scores Sᵀ = K_tile · Q_tileᵀ run on {@link PackedGemm}'s micro-kernel with the (pre-scaled) query tile
 * transposed as its packed panel, so the softmax statistics are vectors over queries; P is transposed back and
 * {@code O += P · V_tile} runs on a 4×4-vector kernel reading V's rows in place. Key tiles wholly in a query
 * tile's causal future are skipped; only tiles that straddle the diagonal are masked.
 *
 * <p><b>Row path</b> (decode, or head sizes that are not a whole number of vectors): one query row and head at a
 * time, a score per visible key, then softmax and the weighted sum of V rows.
 *
 * <p><b>Contribution</b>: for the probe's query rows, the tiled path copies the probed keys' e^(s − m_t) out of each
 * key tile's P (numbers it has anyway, contiguous per row) with the running max m_t they are relative to; once the
 * query tile is done they are rescaled by e^(m_t − m) / l with the row's final max and sum, and at the end
 * averaged over heads and rows: O(heads · |rows| · keyCount) extra, no second pass over K.
 *
 * <p>Work is split over {@link Parallel} by (head, query tile) or (head, row). A query that sees no key gets a
 * zero output.
 */
public final class Attention {
    /** Query rows per tile: one packed panel of the GEMM micro-kernel. */
    static final int BQ = PackedGemm.NR;
    /** Keys per tile: a multiple of every micro-kernel's row count (4, 6 and 8). */
    static final int BK = 48;
    /** Up to this many queries, the row path: a query tile would be mostly padding. */
    public static final int ROW_PATH_MAX_QUERIES = 8;

    private static final ThreadLocal<TileScratch> TILE_SCRATCH = new ThreadLocal<>();
    private static final ThreadBuffer ROW_SCRATCH = new ThreadBuffer();
    /** The calling thread's keys and values of one KV head, packed for the kernels; the workers read them. */
    private static final ThreadBuffer PACKED_KEYS = new ThreadBuffer(), PACKED_VALUES = new ThreadBuffer();
    /** Columns of V per value-kernel call: four vectors with 32 registers, two with 16 (4×4 spills there). */
    private static final int VALUE_PANEL = (Simd.REGISTERS >= 32 ? 4 : 2) * L;

    private Attention() {}

    /**
     * Attention of {@code nq} query rows over {@code nk} cached keys.
     *
     * @param q        queries, {@code [nq][heads · headDim]}, RoPE already applied
     * @param qPos     position of each query row
     * @param k        key cache {@code [kvHeads][capacity][headDim]}, rows {@code 0 .. nk-1} valid
     * @param v        value cache, same layout
     * @param kPos     position of each cached key; key j is visible to query i iff {@code kPos[j] <= qPos[i]}
     * @param out      output {@code [nq][heads · headDim]}, overwritten
     * @param probe    contribution request, or null
     */
    public static void compute(float[] q, int nq, int[] qPos, float[] k, float[] v, int capacity, int nk, int[] kPos,
                               AttentionShape shape, float[] out, ContributionProbe probe) {
        int width = shape.width(), d = shape.headDim();
        Shapes.rows("q", q, nq, width);
        Shapes.rows("out", out, nq, width);
        if (nk < 0 || nk > capacity) throw new IllegalArgumentException("key count " + nk + " is outside [0, capacity " + capacity + "]");
        Shapes.rows("k", k, shape.kvHeads() * capacity, d);
        Shapes.rows("v", v, shape.kvHeads() * capacity, d);
        if (qPos.length < nq) throw new IllegalArgumentException("need " + nq + " query positions, got " + qPos.length);
        if (kPos.length < nk) throw new IllegalArgumentException("need " + nk + " key positions, got " + kPos.length);
        Job job = new Job(q, nq, qPos, k, v, capacity, nk, kPos, shape, out, probe == null ? null : new Capture(probe, shape.heads(), nq, nk));
        if (nq > 0) job.run();
        if (job.capture != null) job.capture.finish();
    }

    /** Per-thread buffers of the tiled path; grown when a larger head size comes along. */
    private static final class TileScratch {
        final int headDim;
        final float[] qt, st, p, o;
        final float[] m = new float[BQ], l = new float[BQ], alpha = new float[BQ];
        final int[] qpos = new int[BQ];

        private TileScratch(int headDim) {
            this.headDim = headDim;
            qt = new float[headDim * BQ];
            st = new float[BK * BQ];
            p = new float[BQ * BK];
            o = new float[BQ * headDim];
        }

        static TileScratch of(int headDim) {
            TileScratch s = TILE_SCRATCH.get();
            if (s == null || s.headDim != headDim) {
                s = new TileScratch(headDim);
                TILE_SCRATCH.set(s);
            }
            return s;
        }
    }

    /** The scores and probabilities a probe asks for, captured as the kernel runs. */
    private static final class Capture {
        final ContributionProbe probe;
        final int heads, rows, keyStart, keyCount;
        /** For each query row, its index in the probe's list, or -1. */
        final int[] index;
        /** {@code [heads][rows][keyCount]}: probabilities, or in the tiled path e^(s − ref_t) until the row is done. */
        final float[] store;
        /** {@code [heads][rows][keyTiles]}: the softmax reference point ref_t the tiled path used for each key tile. */
        final float[] tileRef;
        final int keyTiles;

        Capture(ContributionProbe probe, int heads, int nq, int nk) {
            int[] listed = probe.rows();
            if ((long) probe.keyStart() + probe.keyCount() > nk) {
                throw new IllegalArgumentException("probe keys [" + probe.keyStart() + ", " + ((long) probe.keyStart() + probe.keyCount())
                        + ") go past the " + nk + " cached keys");
            }
            long size = (long) heads * listed.length * probe.keyCount();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("probe of " + listed.length + " rows x " + probe.keyCount() + " keys x " + heads
                        + " heads is too large to capture; probe fewer rows or keys");
            }
            this.probe = probe;
            this.heads = heads;
            this.rows = listed.length;
            this.keyStart = probe.keyStart();
            this.keyCount = probe.keyCount();
            this.index = new int[nq];
            Arrays.fill(index, -1);
            for (int i = 0; i < listed.length; i++) {
                if (listed[i] >= nq) throw new IllegalArgumentException("probe query row " + listed[i] + " is outside the " + nq + " query rows");
                index[listed[i]] = i;
            }
            if (probe.probabilities.length < size) probe.probabilities = new float[(int) size];
            this.store = probe.probabilities;
            // Keys of tiles the kernel skips as wholly invisible keep probability 0.
            Arrays.fill(store, 0, (int) size, 0f);
            this.keyTiles = (nk + BK - 1) / BK;
            this.tileRef = new float[heads * listed.length * keyTiles];
            Arrays.fill(tileRef, Float.NEGATIVE_INFINITY);
        }

        int offset(int head, int row) {
            return (head * rows + index[row]) * keyCount;
        }

        int tileOffset(int head, int row) {
            return (head * rows + index[row]) * keyTiles;
        }

        /** a_j = mean over heads and rows of the captured probabilities, summed in a fixed order per key. */
        void finish() {
            float[] a = probe.contributionArray();
            float weight = 1f / ((float) heads * Math.max(1, rows));
            Rows.forEach(keyCount, (from, to) -> {
                for (int j = from; j < to; j++) {
                    float sum = 0;
                    for (int c = j, end = heads * rows * keyCount; c < end; c += keyCount) sum += store[c];
                    a[j] = sum * weight;
                }
            });
        }
    }

    /** One call's arguments, and the work items over them. */
    private record Job(float[] q, int nq, int[] qPos, float[] k, float[] v, int capacity, int nk, int[] kPos,
                       AttentionShape shape, float[] out, Capture capture, int[] keyTileMin, int[] keyTileMax) {
        Job(float[] q, int nq, int[] qPos, float[] k, float[] v, int capacity, int nk, int[] kPos,
            AttentionShape shape, float[] out, Capture capture) {
            this(q, nq, qPos, k, v, capacity, nk, kPos, shape, out, capture,
                    new int[(nk + BK - 1) / BK], new int[(nk + BK - 1) / BK]);
        }

        /** Every (head, query tile) or (head, query row) over the pool. */
        void run() {
            int d = shape.headDim();
            if (nq <= ROW_PATH_MAX_QUERIES || d % L != 0) {
                Parallel.forRange(shape.heads() * nq, (from, to) -> {
                    for (int item = from; item < to; item++) row(item / nq, item % nq);
                });
            } else {
                int tiles = (nq + BQ - 1) / BQ, group = shape.group(), mr = GemmPlan.MACHINE.mr(), groups = nk / mr;
                prepareKeyTiles();
                float[] keys = PACKED_KEYS.atLeast(groups * mr * d), values = PACKED_VALUES.atLeast(nk * d);
                for (int kvh = 0; kvh < shape.kvHeads(); kvh++) {
                    // Packed once per KV head, keys and values serve every query tile of the heads that share them.
                    int kvBase = kvh * capacity, h0 = kvh * group;
                    Parallel.forRange(nk, (from, to) -> {
                        // Each tile of mr keys is packed by the range its first key falls in.
                        for (int g = (from + mr - 1) / mr; g < groups && g * mr < to; g++) {
                            PackedGemm.packRows(k, (kvBase + g * mr) * d, d, mr, d, keys, g * mr * d);
                        }
                        packValues(kvBase, from, to, values);
                    });
                    Parallel.forRange(group * tiles, (from, to) -> {
                        TileScratch s = TileScratch.of(d);
                        for (int item = from; item < to; item++) tile(h0 + item / tiles, item % tiles, keys, values, s);
                    });
                }
            }
        }

        /**
         * Rows [from, to) of the head's values (from kvBase in the cache) into panels of {@link #VALUE_PANEL}
         * columns, each panel [nk][width]: the value kernel then reads a key's slice right after the previous
         * key's. Read in place, a head's rows lie a head size apart, and on a Zen 3 core P·V ran at 0.65 of QKᵀ.
         */
        void packValues(int kvBase, int from, int to, float[] values) {
            int d = shape.headDim();
            for (int j = from; j < to; j++) {
                for (int x0 = 0; x0 < d; x0 += VALUE_PANEL) {
                    int w = Math.min(VALUE_PANEL, d - x0);
                    System.arraycopy(v, (kvBase + j) * d + x0, values, x0 * nk + j * w, w);
                }
            }
        }

        /** Smallest and largest key position per key tile, so a query tile can skip or take a tile unmasked. */
        void prepareKeyTiles() {
            for (int t = 0; t < keyTileMin.length; t++) {
                int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
                for (int j = t * BK; j < Math.min(nk, (t + 1) * BK); j++) {
                    min = Math.min(min, kPos[j]);
                    max = Math.max(max, kPos[j]);
                }
                keyTileMin[t] = min;
                keyTileMax[t] = max;
            }
        }

        // ------------------------------------------------------------------ tiled path

        /**
         * Query tile qt of head h; {@code keys}: the head's keys as {@link PackedGemm#packRows} tiles of mr,
         * {@code values}: its values as {@link #packValues} panels.
         */
        void tile(int h, int qt, float[] keys, float[] values, TileScratch s) {
            int d = shape.headDim(), width = shape.width();
            int i0 = qt * BQ, bq = Math.min(BQ, nq - i0);
            int kvBase = (h / shape.group()) * capacity;
            float scale = (float) (1 / Math.sqrt(d));

            // Qᵀ tile, pre-scaled, as the micro-kernel's packed panel [d][BQ]; padding lanes are zero queries that
            // see every key (their results are dropped).
            Transpose.transpose(q, i0 * width + h * d, width, bq, d, s.qt, 0, BQ);
            for (int x = 0; x < d; x++) {
                int row = x * BQ;
                for (int i = 0; i < BQ; i += L) FloatVector.fromArray(F, s.qt, row + i).mul(scale).intoArray(s.qt, row + i);
                if (bq < BQ) Arrays.fill(s.qt, row + bq, row + BQ, 0f);
            }
            int minQ = Integer.MAX_VALUE, maxQ = Integer.MIN_VALUE;
            for (int i = 0; i < BQ; i++) {
                int p = i < bq ? qPos[i0 + i] : Integer.MAX_VALUE;
                s.qpos[i] = p;
                if (i < bq) {
                    minQ = Math.min(minQ, p);
                    maxQ = Math.max(maxQ, p);
                }
            }
            Arrays.fill(s.m, Float.NEGATIVE_INFINITY);
            Arrays.fill(s.l, 0f);
            Arrays.fill(s.o, 0f);
            boolean probed = false;
            if (capture != null) {
                for (int i = 0; i < bq; i++) probed |= capture.index[i0 + i] >= 0;
            }

            for (int t = 0; t < keyTileMin.length; t++) {
                if (keyTileMin[t] > maxQ) continue; // every key of the tile is in every query's future
                int j0 = t * BK, bk = Math.min(BK, nk - j0);
                scores(kvBase + j0, j0, bk, keys, s);
                if (keyTileMax[t] > minQ) mask(j0, bk, s);
                onlineSoftmax(bk, s);
                if (probed) {
                    Transpose.transpose(s.st, 0, BQ, bk, BQ, s.p, 0, BK);
                    captureProbabilities(h, i0, bq, t, s);
                }
                accumulateValues(j0, bk, values, s);
            }

            for (int i = 0; i < bq; i++) {
                float l = s.l[i];
                float inv = l == 0 ? 0 : 1 / l;
                int src = i * d, dst = (i0 + i) * width + h * d;
                for (int x = 0; x < d; x += L) FloatVector.fromArray(F, s.o, src + x).mul(inv).intoArray(out, dst + x);
            }
            if (probed) finishCapturedRows(h, i0, bq, s);
        }

        /**
         * Sᵀ[j][i] = K[key0 + j] · Q̃[i] for j in [0, bk): rows of K against the packed query panel, whole tiles of mr
         * keys from the packed copy (j0: the tile's first key within the head), the last few keys in place.
         */
        private void scores(int key0, int j0, int bk, float[] keys, TileScratch s) {
            int d = shape.headDim();
            int j = 0;
            for (int mr = GemmPlan.MACHINE.mr(); j + mr <= bk; j += mr) {
                PackedGemm.tile(mr, keys, (j0 + j) * d, s.qt, 0, d, s.st, j * BQ, BQ, false);
            }
            for (; j < bk; j++) PackedGemm.rowKernel(k, (key0 + j) * d, s.qt, 0, d, s.st, j * BQ, false);
        }

        /** −∞ where key j is in query i's future. */
        private void mask(int j0, int bk, TileScratch s) {
            for (int j = 0; j < bk; j++) {
                int kp = kPos[j0 + j];
                for (int i = 0; i < BQ; i += L) {
                    VectorMask<Float> future = IntVector.fromArray(I, s.qpos, i).compare(VectorOperators.LT, kp).cast(F);
                    FloatVector.fromArray(F, s.st, j * BQ + i).blend(Float.NEGATIVE_INFINITY, future).intoArray(s.st, j * BQ + i);
                }
            }
        }

        /**
         * Folds this key tile into each query's running max m and sum l, leaves e^(s − m) in Sᵀ, and the factor
         * e^(m_old − m_new) by which the output accumulator must shrink in alpha. A query that has seen only masked
         * keys keeps m = −∞, l = 0 (its reference point is taken as 0 so no ∞ − ∞ arises).
         */
        private static void onlineSoftmax(int bk, TileScratch s) {
            for (int i = 0; i < BQ; i += L) {
                FloatVector mOld = FloatVector.fromArray(F, s.m, i), mNew = mOld;
                for (int j = 0; j < bk; j++) mNew = mNew.max(FloatVector.fromArray(F, s.st, j * BQ + i));
                FloatVector ref = mNew.blend(0f, mNew.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
                FloatVector sum = FloatVector.zero(F);
                for (int j = 0; j < bk; j++) {
                    FloatVector p = Exp.exp(FloatVector.fromArray(F, s.st, j * BQ + i).sub(ref));
                    p.intoArray(s.st, j * BQ + i);
                    sum = sum.add(p);
                }
                FloatVector alpha = Exp.exp(mOld.sub(ref));
                alpha.intoArray(s.alpha, i);
                FloatVector.fromArray(F, s.l, i).fma(alpha, sum).intoArray(s.l, i);
                mNew.intoArray(s.m, i);
            }
        }

        /** O = alpha · O + P · V[j0 .. j0 + bk) of the head, V from {@link #packValues}'s panels. */
        private void accumulateValues(int j0, int bk, float[] values, TileScratch s) {
            int d = shape.headDim();
            for (int i = 0; i < BQ; i++) {
                float a = s.alpha[i];
                if (a == 1f) continue;
                for (int x = 0; x < d; x += L) FloatVector.fromArray(F, s.o, i * d + x).mul(a).intoArray(s.o, i * d + x);
            }
            for (int i = 0; i < BQ; i += 4) {
                for (int x0 = 0; x0 < d; x0 += VALUE_PANEL) {
                    int w = Math.min(VALUE_PANEL, d - x0), base = x0 * nk + j0 * w, o = i * d + x0;
                    if (w == VALUE_PANEL && VALUE_PANEL == 4 * L) {
                        valueKernel4x4(s.st, i, bk, values, base, s.o, o, d);
                    } else if (w == VALUE_PANEL) {
                        valueKernel4x2(s.st, i, bk, values, base, s.o, o, d);
                    } else {
                        for (int x = 0; x < w; x += L) valueKernel4x1(s.st, i, bk, values, base + x, w, s.o, o + x, d);
                    }
                }
            }
        }

        /**
         * Copies the probe rows' e^(s − ref_t) for the probed keys of key tile t out of P (contiguous per row), and
         * the reference point ref_t they are relative to.
         */
        private void captureProbabilities(int h, int i0, int bq, int t, TileScratch s) {
            int j0 = t * BK;
            int from = Math.max(j0, capture.keyStart), to = Math.min(Math.min(j0 + BK, nk), capture.keyStart + capture.keyCount);
            if (from >= to) return;
            for (int i = 0; i < bq; i++) {
                if (capture.index[i0 + i] < 0) continue;
                System.arraycopy(s.p, i * BK + (from - j0), capture.store, capture.offset(h, i0 + i) + (from - capture.keyStart), to - from);
                capture.tileRef[capture.tileOffset(h, i0 + i) + t] = reference(s.m[i]);
            }
        }

        /**
         * Once a query tile is done, its probe rows' captured values become probabilities:
         * {@code e^(s − ref_t) · e^(ref_t − ref_final) / l}. Tiles never captured (skipped as invisible) have
         * ref_t = −∞, so their zeros stay zeros.
         */
        private void finishCapturedRows(int h, int i0, int bq, TileScratch s) {
            int first = capture.keyStart / BK, last = (capture.keyStart + capture.keyCount - 1) / BK;
            for (int i = 0; i < bq; i++) {
                if (capture.index[i0 + i] < 0 || capture.keyCount == 0) continue;
                float refFinal = reference(s.m[i]), l = s.l[i];
                int base = capture.offset(h, i0 + i) - capture.keyStart, refs = capture.tileOffset(h, i0 + i);
                for (int t = first; t <= last; t++) {
                    int from = Math.max(t * BK, capture.keyStart), to = Math.min((t + 1) * BK, capture.keyStart + capture.keyCount);
                    float factor = l == 0 ? 0 : Exp.exp(capture.tileRef[refs + t] - refFinal) / l;
                    int j = from;
                    for (; j <= to - L; j += L) {
                        FloatVector.fromArray(F, capture.store, base + j).mul(factor).intoArray(capture.store, base + j);
                    }
                    for (; j < to; j++) capture.store[base + j] *= factor;
                }
            }
        }

        /** The point scores are exponentiated relative to: the running max, or 0 while a row has seen no key. */
        private static float reference(float max) {
            return max == Float.NEGATIVE_INFINITY ? 0 : max;
        }

        // ------------------------------------------------------------------ row path

        void row(int h, int i) {
            int d = shape.headDim(), width = shape.width();
            int kvBase = (h / shape.group()) * capacity;
            float scale = (float) (1 / Math.sqrt(d));
            float[] scratch = ROW_SCRATCH.atLeast(nk + d);
            int qOff = i * width + h * d, qp = qPos[i];
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < nk; j++) {
                float sc = kPos[j] <= qp ? dot(q, qOff, k, (kvBase + j) * d, d) * scale : Float.NEGATIVE_INFINITY;
                scratch[j] = sc;
                max = Math.max(max, sc);
            }
            float sum = 0;
            if (max == Float.NEGATIVE_INFINITY) {
                Arrays.fill(scratch, 0, nk, 0f); // no visible key: zero output, zero probabilities
            } else {
                for (int j = 0; j < nk; j++) {
                    float p = Exp.exp(scratch[j] - max);
                    scratch[j] = p;
                    sum += p;
                }
            }
            int o = nk;
            Arrays.fill(scratch, o, o + d, 0f);
            if (sum > 0) {
                for (int j = 0; j < nk; j++) {
                    float p = scratch[j];
                    if (p != 0) axpy(p, v, (kvBase + j) * d, scratch, o, d);
                }
            }
            float inv = sum == 0 ? 0 : 1 / sum;
            for (int x = 0; x < d; x++) out[qOff + x] = scratch[o + x] * inv;
            if (capture != null && capture.index[i] >= 0) {
                int base = capture.offset(h, i);
                for (int j = 0; j < capture.keyCount; j++) capture.store[base + j] = scratch[capture.keyStart + j] * inv;
            }
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int x = 0;
        for (; x <= n - L; x += L) acc = FloatVector.fromArray(F, a, aOff + x).fma(FloatVector.fromArray(F, b, bOff + x), acc);
        float s = Simd.sum(acc);
        for (; x < n; x++) s += a[aOff + x] * b[bOff + x];
        return s;
    }

    /** {@code y[yOff ..] += alpha · x[xOff ..]} over n values. */
    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, alpha), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /**
     * {@code O[0..4)[0..4L) += P[0..4)[0..bk) · V[0..bk)[0..4L)} with P read from Sᵀ ([key][BQ]: the 4 queries'
     * probabilities of one key lie side by side, at constant offsets), V from its packed panel (rows
     * {@link #VALUE_PANEL} apart: a constant stride, so C2 drops the range checks of its loads) and O's rows
     * {@code ldo} apart. Sixteen accumulators, four V loads and four broadcasts per key: for 32 registers.
     */
    private static void valueKernel4x4(float[] st, int sOff, int bk, float[] v, int vOff, float[] o, int oOff, int ldo) {
        int o0 = oOff, o1 = oOff + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
        FloatVector c00 = FloatVector.fromArray(F, o, o0), c01 = FloatVector.fromArray(F, o, o0 + L), c02 = FloatVector.fromArray(F, o, o0 + 2 * L), c03 = FloatVector.fromArray(F, o, o0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(F, o, o1), c11 = FloatVector.fromArray(F, o, o1 + L), c12 = FloatVector.fromArray(F, o, o1 + 2 * L), c13 = FloatVector.fromArray(F, o, o1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(F, o, o2), c21 = FloatVector.fromArray(F, o, o2 + L), c22 = FloatVector.fromArray(F, o, o2 + 2 * L), c23 = FloatVector.fromArray(F, o, o2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(F, o, o3), c31 = FloatVector.fromArray(F, o, o3 + L), c32 = FloatVector.fromArray(F, o, o3 + 2 * L), c33 = FloatVector.fromArray(F, o, o3 + 3 * L);
        for (int j = 0, b = vOff, i = sOff; j < bk; j++, b += VALUE_PANEL, i += BQ) {
            FloatVector v0 = FloatVector.fromArray(F, v, b), v1 = FloatVector.fromArray(F, v, b + L), v2 = FloatVector.fromArray(F, v, b + 2 * L), v3 = FloatVector.fromArray(F, v, b + 3 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, st[i]);
            c00 = v0.fma(x, c00); c01 = v1.fma(x, c01); c02 = v2.fma(x, c02); c03 = v3.fma(x, c03);
            x = FloatVector.broadcast(F, st[i + 1]);
            c10 = v0.fma(x, c10); c11 = v1.fma(x, c11); c12 = v2.fma(x, c12); c13 = v3.fma(x, c13);
            x = FloatVector.broadcast(F, st[i + 2]);
            c20 = v0.fma(x, c20); c21 = v1.fma(x, c21); c22 = v2.fma(x, c22); c23 = v3.fma(x, c23);
            x = FloatVector.broadcast(F, st[i + 3]);
            c30 = v0.fma(x, c30); c31 = v1.fma(x, c31); c32 = v2.fma(x, c32); c33 = v3.fma(x, c33);
        }
        c00.intoArray(o, o0); c01.intoArray(o, o0 + L); c02.intoArray(o, o0 + 2 * L); c03.intoArray(o, o0 + 3 * L);
        c10.intoArray(o, o1); c11.intoArray(o, o1 + L); c12.intoArray(o, o1 + 2 * L); c13.intoArray(o, o1 + 3 * L);
        c20.intoArray(o, o2); c21.intoArray(o, o2 + L); c22.intoArray(o, o2 + 2 * L); c23.intoArray(o, o2 + 3 * L);
        c30.intoArray(o, o3); c31.intoArray(o, o3 + L); c32.intoArray(o, o3 + 2 * L); c33.intoArray(o, o3 + 3 * L);
    }

    /** {@link #valueKernel4x4} two vectors wide (8 accumulators, 11 live vectors): for 16 registers, where 4×4 spills. */
    private static void valueKernel4x2(float[] st, int sOff, int bk, float[] v, int vOff, float[] o, int oOff, int ldo) {
        int o0 = oOff, o1 = oOff + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
        FloatVector c00 = FloatVector.fromArray(F, o, o0), c01 = FloatVector.fromArray(F, o, o0 + L);
        FloatVector c10 = FloatVector.fromArray(F, o, o1), c11 = FloatVector.fromArray(F, o, o1 + L);
        FloatVector c20 = FloatVector.fromArray(F, o, o2), c21 = FloatVector.fromArray(F, o, o2 + L);
        FloatVector c30 = FloatVector.fromArray(F, o, o3), c31 = FloatVector.fromArray(F, o, o3 + L);
        for (int j = 0, b = vOff, i = sOff; j < bk; j++, b += VALUE_PANEL, i += BQ) {
            FloatVector v0 = FloatVector.fromArray(F, v, b), v1 = FloatVector.fromArray(F, v, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, st[i]);
            c00 = v0.fma(x, c00); c01 = v1.fma(x, c01);
            x = FloatVector.broadcast(F, st[i + 1]);
            c10 = v0.fma(x, c10); c11 = v1.fma(x, c11);
            x = FloatVector.broadcast(F, st[i + 2]);
            c20 = v0.fma(x, c20); c21 = v1.fma(x, c21);
            x = FloatVector.broadcast(F, st[i + 3]);
            c30 = v0.fma(x, c30); c31 = v1.fma(x, c31);
        }
        c00.intoArray(o, o0); c01.intoArray(o, o0 + L);
        c10.intoArray(o, o1); c11.intoArray(o, o1 + L);
        c20.intoArray(o, o2); c21.intoArray(o, o2 + L);
        c30.intoArray(o, o3); c31.intoArray(o, o3 + L);
    }

    /** {@link #valueKernel4x4} for the last vectors of a head size that is not a multiple of the kernel's width. */
    private static void valueKernel4x1(float[] st, int sOff, int bk, float[] v, int vOff, int vStride, float[] o, int oOff, int ldo) {
        int o0 = oOff, o1 = oOff + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
        FloatVector c00 = FloatVector.fromArray(F, o, o0);
        FloatVector c10 = FloatVector.fromArray(F, o, o1);
        FloatVector c20 = FloatVector.fromArray(F, o, o2);
        FloatVector c30 = FloatVector.fromArray(F, o, o3);
        for (int j = 0, b = vOff, i = sOff; j < bk; j++, b += vStride, i += BQ) {
            FloatVector v0 = FloatVector.fromArray(F, v, b);
            FloatVector x;
            x = FloatVector.broadcast(F, st[i]);
            c00 = v0.fma(x, c00);
            x = FloatVector.broadcast(F, st[i + 1]);
            c10 = v0.fma(x, c10);
            x = FloatVector.broadcast(F, st[i + 2]);
            c20 = v0.fma(x, c20);
            x = FloatVector.broadcast(F, st[i + 3]);
            c30 = v0.fma(x, c30);
        }
        c00.intoArray(o, o0);
        c10.intoArray(o, o1);
        c20.intoArray(o, o2);
        c30.intoArray(o, o3);
    }
}
