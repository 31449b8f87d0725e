package org.adatoken3d.model.decoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.adatoken3d.kernels.Activations;
import org.adatoken3d.kernels.Attention;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.RmsNorm;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.Vectors;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.weights.ModelConfig;

/**
 * The LLaMA / Qwen2 decoder: prefill in matrix form, decoding one token at a time, with AdaToken gating of the
 * spatial block after layer K−1 (DESIGN.md §2.1).
 *
 * <p>One instance serves one generation at a time (it owns scratch buffers).
 */
public final class Decoder {
    private final ModelConfig config;
    private final DecoderWeights weights;
    private final AttentionShape shape;
    private final Rope rope;
    private final int hidden;
    private final int qWidth;
    private final int kvWidth;
    private final int inter;
    private final int vocab;

    public Decoder(ModelConfig config, DecoderWeights weights) {
        this(config, weights, RopeStyle.ROTATE_HALF);
    }

    /**
     * {@code ropeStyle} is ROTATE_HALF for Hugging Face checkpoints; INTERLEAVED serves Meta-layout weights (and
     * gives the conformance suite a deliberately wrong engine to catch).
     */
    public Decoder(ModelConfig config, DecoderWeights weights, RopeStyle ropeStyle) {
        if (config.ropeScaling() != null && !config.ropeScaling().isEmpty()) {
            throw new IllegalArgumentException("rope_scaling " + config.ropeScaling() + " is not supported (plain RoPE only)");
        }
        this.config = config;
        this.weights = weights;
        this.shape = new AttentionShape(config.numHeads(), config.numKvHeads(), config.headDim());
        this.rope = new Rope(config.headDim(), config.ropeTheta(), ropeStyle);
        this.hidden = config.hiddenSize();
        this.qWidth = config.numHeads() * config.headDim();
        this.kvWidth = config.numKvHeads() * config.headDim();
        this.inter = config.intermediateSize();
        this.vocab = config.vocabSize();
    }

    public ModelConfig config() {
        return config;
    }

    public DecoderWeights weights() {
        return weights;
    }

    /** A KV cache shaped for this decoder. */
    public KvCache newCache(int capacity, long budgetBytes) {
        return KvCache.allocate(config.numLayers(), config.numKvHeads(), config.headDim(), capacity, budgetBytes);
    }

    /** Input embeddings of a prompt: token embeddings, with the spatial block's rows taken from {@code spatialEmbeds}. */
    public float[] embed(int[] ids, SpatialBlock spatial, float[] spatialEmbeds) {
        return embed(ids, spatial, spatialEmbeds, List.of());
    }

    /**
     * As {@link #embed(int[], SpatialBlock, float[])}, and the listed rows (click tokens) take their given
     * embeddings; they must lie outside the spatial block, one per position.
     */
    public float[] embed(int[] ids, SpatialBlock spatial, float[] spatialEmbeds, List<EmbeddedRow> rows) {
        float[] x = new float[Math.multiplyExact(ids.length, hidden)];
        boolean[] given = new boolean[ids.length];
        for (EmbeddedRow r : rows) {
            int p = r.position();
            if (p >= ids.length) throw new IllegalArgumentException("embedded row at " + p + " is past the prompt of " + ids.length + " tokens");
            if (spatial != null && p >= spatial.start() && p < spatial.end()) {
                throw new IllegalArgumentException("embedded row at " + p + " lies inside the spatial block [" + spatial.start() + ", " + spatial.end() + ")");
            }
            if (given[p]) throw new IllegalArgumentException("two embedded rows at position " + p);
            float[] e = r.embedding();
            if (e.length != hidden) throw new IllegalArgumentException("embedded row at " + p + " is " + e.length + " wide, the model " + hidden);
            System.arraycopy(e, 0, x, p * hidden, hidden);
            given[p] = true;
        }
        for (int i = 0; i < ids.length; i++) {
            if (given[i]) continue;
            if (spatial != null && spatialEmbeds != null && i >= spatial.start() && i < spatial.end()) {
                System.arraycopy(spatialEmbeds, (i - spatial.start()) * hidden, x, i * hidden, hidden);
            } else {
                checkToken(ids[i]);
                weights.embedTokens().row(ids[i], x, i * hidden);
            }
        }
        return x;
    }

    private void checkToken(int id) {
        if (id < 0 || id >= weights.embedTokens().rows()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + weights.embedTokens().rows() + ")");
        }
    }

    /**
     * Runs the prompt through every layer, filling {@code cache} (which must be empty). {@code x} holds the input
     * embeddings, {@code [n][hidden]}, and is used as the residual stream. {@code onLayer} hears each finished layer.
     */
    public PrefillResult prefill(float[] x, int n, KvCache cache, PrefillRequest request, IntConsumer onLayer) {
        if (n < 1) throw new IllegalArgumentException("the prompt is empty");
        if (n > cache.capacity()) throw new IllegalArgumentException("prompt of " + n + " tokens exceeds the KV cache of " + cache.capacity());
        SpatialBlock spatial = request.spatial();
        if (spatial != null) spatial.checkWithin(n);
        int gateLayer = request.prunes() ? request.gate().layer() : -1;
        if (gateLayer == 0 || gateLayer > config.numLayers()) {
            throw new IllegalArgumentException("gate layer K=" + gateLayer + " must be in [1, " + config.numLayers() + "]");
        }

        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = i;
        int spatialCount = spatial == null ? 0 : spatial.count();
        Scratch s = new Scratch(n);
        List<Contribution> contributions = new ArrayList<>(Arrays.asList(new Contribution[config.numLayers()]));
        int[] tokensPerLayer = new int[config.numLayers()];
        KeepSet keepSet = null;

        for (int l = 0; l < config.numLayers(); l++) {
            boolean gateHere = l == gateLayer - 1;
            ContributionProbe probe = null;
            if (spatialCount > 0 && (gateHere || request.recordEveryLayer())) {
                probe = new ContributionProbe(queryRows(request.query(), n, spatial.start(), spatialCount), spatial.start(), spatialCount);
            }
            tokensPerLayer[l] = n;
            layer(l, x, n, positions, cache, s, probe);
            if (probe != null) contributions.set(l, Contribution.of(probe.contribution()));
            if (gateHere) {
                keepSet = request.gate().keepSet(contributions.get(l));
            }
            // With K = L no layer is left to skip, so every row reaches the final norm (FORMAT.md's rule).
            if (gateHere && l + 1 < config.numLayers()) {
                int[] rows = survivingRows(n, spatial.start(), spatialCount, keepSet.kept());
                compactRows(x, hidden, rows);
                positions = gather(positions, rows);
                n = rows.length;
                spatialCount = keepSet.kept().length;
            }
            if (onLayer != null) onLayer.accept(l);
        }

        RmsNorm.apply(x, n, hidden, weights.finalNorm(), (float) config.rmsNormEps(), x);
        float[] logits = null;
        float[] hiddenOut = null;
        switch (request.logits()) {
            case LAST -> {
                float[] last = Arrays.copyOfRange(x, (n - 1) * hidden, n * hidden);
                logits = new float[vocab];
                Gemm.multiply(last, 1, weights.lmHead(), logits);
            }
            case ALL -> {
                hiddenOut = Arrays.copyOf(x, n * hidden);
                logits = new float[Math.multiplyExact(n, vocab)];
                Gemm.multiply(hiddenOut, n, weights.lmHead(), logits);
            }
            case NONE -> hiddenOut = Arrays.copyOf(x, n * hidden);
        }
        return new PrefillResult(positions, hiddenOut, logits, contributions, keepSet, tokensPerLayer);
    }

    /** Decodes one token at {@code position}, appending to every layer's cache; returns its logits. */
    public float[] decode(int token, int position, KvCache cache) {
        checkToken(token);
        float[] x = new float[hidden];
        weights.embedTokens().row(token, x, 0);
        Scratch s = decodeScratch();
        int[] pos = {position};
        for (int l = 0; l < config.numLayers(); l++) {
            if (cache.length(l) >= cache.capacity()) {
                throw new IllegalArgumentException("the KV cache is full (" + cache.capacity() + " tokens); raise --max-tokens or the context");
            }
            layer(l, x, 1, pos, cache, s, null);
        }
        RmsNorm.apply(x, 1, hidden, weights.finalNorm(), (float) config.rmsNormEps(), x);
        float[] logits = new float[vocab];
        Gemm.multiply(x, 1, weights.lmHead(), logits);
        return logits;
    }

    /** One pre-norm decoder layer over {@code n} rows of the residual stream {@code x}. */
    private void layer(int l, float[] x, int n, int[] positions, KvCache cache, Scratch s, ContributionProbe probe) {
        LayerWeights w = weights.layers().get(l);
        float eps = (float) config.rmsNormEps();

        RmsNorm.apply(x, n, hidden, w.inputNorm(), eps, s.normed);
        Gemm.multiply(s.normed, n, w.q(), s.q);
        Gemm.multiply(s.normed, n, w.k(), s.k);
        Gemm.multiply(s.normed, n, w.v(), s.v);
        addBias(s.q, n, w.qBias());
        addBias(s.k, n, w.kBias());
        addBias(s.v, n, w.vBias());
        rope.apply(s.q, n, config.numHeads(), positions);
        rope.apply(s.k, n, config.numKvHeads(), positions);
        cache.append(l, s.k, s.v, positions, n);
        Attention.compute(s.q, n, positions, cache.keys(l), cache.values(l), cache.capacity(), cache.length(l),
                cache.positions(l), shape, s.attn, probe);
        Gemm.multiply(s.attn, n, w.o(), s.normed);
        addBias(s.normed, n, w.oBias());
        Vectors.add(x, s.normed, n * hidden);

        RmsNorm.apply(x, n, hidden, w.postAttentionNorm(), eps, s.normed);
        Gemm.multiply(s.normed, n, w.gate(), s.gate);
        Gemm.multiply(s.normed, n, w.up(), s.up);
        addBias(s.gate, n, w.gateBias());
        addBias(s.up, n, w.upBias());
        Activations.siluMul(s.gate, s.up, n * inter);
        Gemm.multiply(s.gate, n, w.down(), s.normed);
        addBias(s.normed, n, w.downBias());
        Vectors.add(x, s.normed, n * hidden);
    }

    private static void addBias(float[] rows, int n, float[] bias) {
        if (bias != null) Vectors.addBias(rows, n, bias);
    }

    /** The rows whose attention defines the contribution, as indices into the current rows. */
    static int[] queryRows(QuerySet query, int n, int spatialStart, int spatialCount) {
        return switch (query) {
            case LAST -> new int[] {n - 1};
            case INSTRUCTION -> {
                int from = spatialStart + spatialCount;
                if (from >= n) {
                    throw new IllegalArgumentException("query set 'instruction' is empty: no tokens follow the spatial block");
                }
                int[] rows = new int[n - from];
                for (int i = 0; i < rows.length; i++) rows[i] = from + i;
                yield rows;
            }
        };
    }

    /** Text rows plus the kept spatial rows, in prompt order. */
    static int[] survivingRows(int n, int spatialStart, int spatialCount, int[] kept) {
        int[] rows = new int[n - spatialCount + kept.length];
        int r = 0;
        for (int i = 0; i < spatialStart; i++) rows[r++] = i;
        for (int k : kept) rows[r++] = spatialStart + k;
        for (int i = spatialStart + spatialCount; i < n; i++) rows[r++] = i;
        return rows;
    }

    /** Moves the listed rows (ascending) to the front of {@code x}, in place. */
    static void compactRows(float[] x, int width, int[] rows) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != i) System.arraycopy(x, rows[i] * width, x, i * width, width);
        }
    }

    private static int[] gather(int[] a, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = a[rows[i]];
        return out;
    }

    private Scratch decodeScratch;

    private Scratch decodeScratch() {
        if (decodeScratch == null) decodeScratch = new Scratch(1);
        return decodeScratch;
    }

    /** Activation buffers for {@code rows} rows, reused across layers. */
    private final class Scratch {
        final float[] normed;
        final float[] q;
        final float[] k;
        final float[] v;
        final float[] attn;
        final float[] gate;
        final float[] up;

        Scratch(int rows) {
            normed = new float[rows * hidden];
            q = new float[rows * qWidth];
            k = new float[rows * kvWidth];
            v = new float[rows * kvWidth];
            attn = new float[rows * qWidth];
            gate = new float[Math.multiplyExact(rows, inter)];
            up = new float[rows * inter];
        }
    }
}
