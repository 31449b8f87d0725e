package org.adatoken3d.model.decoder;

import org.adatoken3d.kernels.EngineArgumentException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.CpuBackend;
import org.adatoken3d.kernels.backend.Tensor;
import org.adatoken3d.model.NumericalFailure;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.weights.DecoderConfig;

/**
 * The LLaMA / Qwen2 decoder: prefill in matrix form, decoding one token at a time, with AdaToken gating of the
 * spatial block after layer K−1 (DESIGN.md §2.1).
 *
 * <p>Every layer runs on a {@link Backend} (the CPU's Vector API kernels, or an accelerator): weights are made
 * resident on it once, the KV cache and activations live on it, and the host writes input rows and positions and
 * reads back only logits, requested hidden states and, at the gate layer, the contribution vector. The gate's
 * decision is made on the host; the compaction it orders runs on the backend.
 *
 * <p>One instance serves one generation at a time (it owns scratch buffers).
 */
public final class Decoder {
    private final DecoderConfig config;
    private final DecoderWeights weights;
    private final Backend backend;
    private final ResidentWeights resident;
    private final AttentionShape shape;
    private final Rope rope;
    private final int hidden;
    private final int qWidth;
    private final int kvWidth;
    private final int inter;
    private final int vocab;
    private final DecoderConfig.Activation activation;

    public Decoder(DecoderConfig config, DecoderWeights weights) {
        this(config, weights, RopeStyle.ROTATE_HALF);
    }

    public Decoder(DecoderConfig config, DecoderWeights weights, RopeStyle ropeStyle) {
        this(config, weights, ropeStyle, new CpuBackend());
    }

    /**
     * {@code ropeStyle} is ROTATE_HALF for Hugging Face checkpoints; INTERLEAVED serves Meta-layout weights (and
     * gives the conformance suite a deliberately wrong engine to catch). The weights are made resident on
     * {@code backend} here; the caller keeps owning (and closes) the backend.
     */
    public Decoder(DecoderConfig config, DecoderWeights weights, RopeStyle ropeStyle, Backend backend) {
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
        this.activation = config.activation();
        this.backend = backend;
        this.resident = ResidentWeights.upload(weights, backend);
    }

    public DecoderConfig config() {
        return config;
    }

    public DecoderWeights weights() {
        return weights;
    }

    public Backend backend() {
        return backend;
    }

    /** A KV cache shaped for this decoder, on its backend. */
    public KvCache newCache(int capacity, long budgetBytes) {
        return KvCache.allocate(backend, config.numLayers(), config.numKvHeads(), config.headDim(), capacity, budgetBytes);
    }

    /**
     * Throws unless a prompt of {@code n} tokens fits the model's context: positions beyond
     * {@code max_position_embeddings} were never trained, and what the model computes there is not an answer.
     */
    public void checkFitsContext(int n) {
        int context = config.maxPositionEmbeddings();
        if (n > context) {
            throw new EngineArgumentException("prompt", "is " + n + " tokens, longer than the model's context of " + context
                    + " tokens (max_position_embeddings)");
        }
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
            throw new EngineArgumentException("inputIds", "holds token id " + id + ", outside the vocabulary [0, " + weights.embedTokens().rows() + ")");
        }
    }

    /**
     * Runs the prompt through every layer, filling {@code cache} (which must be empty). {@code x} holds the input
     * embeddings, {@code [n][hidden]}, copied to the backend (the array is not changed). {@code onLayer} hears each finished layer.
     */
    public PrefillResult prefill(float[] x, int n, KvCache cache, PrefillRequest request, IntConsumer onLayer) {
        if (n < 1) throw new EngineArgumentException("prompt", "is empty");
        checkFitsContext(n);
        if (n > cache.capacity()) throw new IllegalArgumentException("prompt of " + n + " tokens exceeds the KV cache of " + cache.capacity());
        SpatialBlock spatial = request.spatial();
        if (spatial != null) spatial.checkWithin(n);
        int gateLayer = request.prunes() ? request.gate().layer() : -1;
        if (gateLayer == 0 || gateLayer > config.numLayers()) {
            throw new EngineArgumentException("prune", "gate layer K=" + gateLayer + " must be in [1, " + config.numLayers() + "]");
        }

        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = i;
        int spatialCount = spatial == null ? 0 : spatial.count();
        Scratch s = new Scratch(n);
        backend.write(s.x, x, n);
        backend.writeInts(s.positions, positions, n);
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
            float[] contribution = layer(l, n, cache, s, probe);
            if (probe != null) {
                NumericalFailure.checkFinite(contribution, "the attention the spatial tokens received in layer " + l);
                contributions.set(l, Contribution.of(contribution));
            }
            if (gateHere) {
                keepSet = request.gate().keepSet(contributions.get(l));
            }
            // With K = L no layer is left to skip, so every row reaches the final norm (FORMAT.md's rule).
            if (gateHere && l + 1 < config.numLayers()) {
                int[] rows = survivingRows(n, spatial.start(), spatialCount, keepSet.kept());
                backend.gatherRows(s.x, rows, s.normed);
                backend.copyRows(s.normed, 0, rows.length, s.x, 0);
                positions = gather(positions, rows);
                backend.writeInts(s.positions, positions, rows.length);
                n = rows.length;
                spatialCount = keepSet.kept().length;
            }
            if (onLayer != null) onLayer.accept(l);
        }

        backend.rmsNorm(s.x, n, resident.finalNorm(), (float) config.rmsNormEps(), s.x);
        float[] logits = null;
        float[] hiddenOut = null;
        switch (request.logits()) {
            case LAST -> {
                Tensor last = backend.allocate(1, hidden);
                Tensor out = backend.allocate(1, vocab);
                backend.copyRows(s.x, n - 1, 1, last, 0);
                backend.gemm(last, 1, resident.lmHead(), out);
                logits = new float[vocab];
                backend.read(out, 0, 1, logits);
                backend.free(last);
                backend.free(out);
            }
            case ALL -> {
                Tensor out = backend.allocate(n, vocab);
                backend.gemm(s.x, n, resident.lmHead(), out);
                logits = new float[Math.multiplyExact(n, vocab)];
                backend.read(out, 0, n, logits);
                backend.free(out);
                hiddenOut = new float[n * hidden];
                backend.read(s.x, 0, n, hiddenOut);
            }
            case NONE -> {
                hiddenOut = new float[n * hidden];
                backend.read(s.x, 0, n, hiddenOut);
            }
        }
        s.free();
        return new PrefillResult(positions, hiddenOut, logits, contributions, keepSet, tokensPerLayer);
    }

    /** Decodes one token at {@code position}, appending to every layer's cache; returns its logits. */
    public float[] decode(int token, int position, KvCache cache) {
        checkToken(token);
        if (position < 0 || position >= config.maxPositionEmbeddings()) {
            throw new EngineArgumentException("position", position + " is outside the model's context [0, " + config.maxPositionEmbeddings()
                    + ") (max_position_embeddings)");
        }
        float[] row = new float[hidden];
        weights.embedTokens().row(token, row, 0);
        Scratch s = decodeScratch();
        backend.write(s.x, row, 1);
        backend.writeInts(s.positions, new int[] {position}, 1);
        for (int l = 0; l < config.numLayers(); l++) {
            if (cache.length(l) >= cache.capacity()) {
                throw new IllegalStateException("the KV cache is full (" + cache.capacity() + " tokens): decoding past the capacity it was made with");
            }
            layer(l, 1, cache, s, null);
        }
        backend.rmsNorm(s.x, 1, resident.finalNorm(), (float) config.rmsNormEps(), s.x);
        backend.gemm(s.x, 1, resident.lmHead(), s.logits);
        float[] logits = new float[vocab];
        backend.read(s.logits, 0, 1, logits);
        return logits;
    }

    /**
     * One pre-norm decoder layer over {@code n} rows of the residual stream {@code s.x} at {@code s.positions};
     * returns the probe's contribution vector, or null without a probe.
     */
    private float[] layer(int l, int n, KvCache cache, Scratch s, ContributionProbe probe) {
        ResidentWeights.Layer w = resident.layers().get(l);
        float eps = (float) config.rmsNormEps();

        backend.rmsNorm(s.x, n, w.inputNorm(), eps, s.normed);
        backend.gemm(s.normed, n, w.q(), s.q);
        backend.gemm(s.normed, n, w.k(), s.k);
        backend.gemm(s.normed, n, w.v(), s.v);
        addBias(s.q, n, w.qBias());
        addBias(s.k, n, w.kBias());
        addBias(s.v, n, w.vBias());
        backend.rope(s.q, n, config.numHeads(), rope, s.positions);
        backend.rope(s.k, n, config.numKvHeads(), rope, s.positions);
        cache.append(l, s.k, s.v, s.positions, n);
        float[] contribution = backend.attention(s.q, n, s.positions, cache.layer(l), cache.length(l), shape, s.attn, probe);
        backend.gemm(s.attn, n, w.o(), s.normed);
        addBias(s.normed, n, w.oBias());
        backend.add(s.x, s.normed, n);

        backend.rmsNorm(s.x, n, w.postAttentionNorm(), eps, s.normed);
        backend.gemm(s.normed, n, w.gate(), s.gate);
        backend.gemm(s.normed, n, w.up(), s.up);
        addBias(s.gate, n, w.gateBias());
        addBias(s.up, n, w.upBias());
        switch (activation) {
            case SILU -> backend.siluMul(s.gate, s.up, n);
            case GELU -> backend.geluMul(s.gate, s.up, n, GeluForm.ERF);
            case GELU_TANH -> backend.geluMul(s.gate, s.up, n, GeluForm.TANH);
        }
        backend.gemm(s.gate, n, w.down(), s.normed);
        addBias(s.normed, n, w.downBias());
        backend.add(s.x, s.normed, n);
        return contribution;
    }

    private void addBias(Tensor rows, int n, Tensor bias) {
        if (bias != null) backend.addBias(rows, n, bias);
    }

    /** The rows whose attention defines the contribution, as indices into the current rows. */
    static int[] queryRows(QuerySet query, int n, int spatialStart, int spatialCount) {
        return switch (query) {
            case LAST -> new int[] {n - 1};
            case INSTRUCTION -> {
                int from = spatialStart + spatialCount;
                if (from >= n) {
                    throw new EngineArgumentException("query", "'instruction' is empty: no tokens follow the spatial block");
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

    /** Activation buffers for {@code rows} rows on the backend, reused across layers. */
    private final class Scratch {
        final Tensor x;
        final Tensor positions;
        final Tensor normed;
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final Tensor attn;
        final Tensor gate;
        final Tensor up;
        final Tensor logits;

        Scratch(int rows) {
            x = backend.allocate(rows, hidden);
            positions = backend.allocateInts(rows);
            normed = backend.allocate(rows, hidden);
            q = backend.allocate(rows, qWidth);
            k = backend.allocate(rows, kvWidth);
            v = backend.allocate(rows, kvWidth);
            attn = backend.allocate(rows, qWidth);
            gate = backend.allocate(rows, inter);
            up = backend.allocate(rows, inter);
            logits = rows == 1 ? backend.allocate(1, vocab) : null;
        }

        void free() {
            for (Tensor t : new Tensor[] {x, positions, normed, q, k, v, attn, gate, up, logits}) {
                if (t != null) backend.free(t);
            }
        }
    }
}
