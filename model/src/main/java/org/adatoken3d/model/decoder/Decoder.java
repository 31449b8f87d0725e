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
    final Backend backend;
    final ResidentWeights resident;
    final AttentionShape shape;
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

    void checkToken(int id) {
        if (id < 0 || id >= weights.embedTokens().rows()) {
            throw new EngineArgumentException("inputIds", "holds token id " + id + ", outside the vocabulary [0, " + weights.embedTokens().rows() + ")");
        }
    }

    /**
     * Runs the prompt through every layer, filling {@code cache} (which must be empty). {@code x} holds the input
     * embeddings, {@code [n][hidden]}, copied to the backend (the array is not changed). {@code onLayer} hears each finished layer.
     */
    public PrefillResult prefill(float[] x, int n, KvCache cache, PrefillRequest request, IntConsumer onLayer) {
        int gateLayer = checkPrefill(x, n, cache, request);
        SpatialBlock spatial = request.spatial();

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
            int layer = l, live = n;
            ContributionProbe p = probe;
            float[] contribution = layer(l, n, s, () -> {
                cache.append(layer, s.k, s.v, s.positions, live);
                return backend.attention(s.q, live, s.positions, cache.layer(layer), cache.length(layer), shape, s.attn, p);
            });
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

    /**
     * As {@link #prefill} with logits for the last row, run {@code chunkRows} prompt rows at a time: each
     * {@link ChunkedPrefill#advance} runs one chunk, and other work (decoding steps of other sequences) may run between
     * them. Gives what {@link #prefill} gives, to the bit.
     */
    public ChunkedPrefill startPrefill(float[] x, int n, KvCache cache, PrefillRequest request, int chunkRows) {
        int gateLayer = checkPrefill(x, n, cache, request);
        return new ChunkedPrefill(this, x, n, cache, request, gateLayer, chunkRows);
    }

    /** The checks every prefill makes; returns the gate layer K, or -1 without pruning. */
    private int checkPrefill(float[] x, int n, KvCache cache, PrefillRequest request) {
        if (n < 1) throw new EngineArgumentException("prompt", "is empty");
        checkFitsContext(n);
        if (n > cache.capacity()) throw new IllegalArgumentException("prompt of " + n + " tokens exceeds the KV cache of " + cache.capacity());
        if ((long) n * hidden > x.length) throw new IllegalArgumentException("prompt of " + n + " rows needs " + (long) n * hidden + " input values, got " + x.length);
        SpatialBlock spatial = request.spatial();
        if (spatial != null) spatial.checkWithin(n);
        int gateLayer = request.prunes() ? request.gate().layer() : -1;
        if (gateLayer == 0 || gateLayer > config.numLayers()) {
            throw new EngineArgumentException("prune", "gate layer K=" + gateLayer + " must be in [1, " + config.numLayers() + "]");
        }
        return gateLayer;
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
        Scratch s = decodeScratch(1);
        backend.write(s.x, row, 1);
        backend.writeInts(s.positions, new int[] {position}, 1);
        for (int l = 0; l < config.numLayers(); l++) {
            checkRoom(cache, l);
            int layer = l;
            layer(l, 1, s, () -> {
                cache.append(layer, s.k, s.v, s.positions, 1);
                return backend.attention(s.q, 1, s.positions, cache.layer(layer), cache.length(layer), shape, s.attn, null);
            });
        }
        backend.rmsNorm(s.x, 1, resident.finalNorm(), (float) config.rmsNormEps(), s.x);
        backend.gemm(s.x, 1, resident.lmHead(), s.logits);
        float[] logits = new float[vocab];
        backend.read(s.logits, 0, 1, logits);
        return logits;
    }

    /**
     * Decodes one token for each of B sequences in one pass over the weights (a server's parallel slots): row b is
     * {@code tokens[b]} at {@code positions[b]}, appended to {@code caches[b]}. Every matrix multiplies all B rows in one
     * GEMM, so the weights stream from memory once per step instead of B times; attention runs per sequence over its
     * own cache, pruned or not. Returns {@code [B][vocab]} logits; row b is what {@link #decode} gives for that
     * sequence alone: to the bit for B up to {@code Gemm.MAX_GEMV_ROWS} (the multi-row GEMV sums each row as the
     * GEMV of one does), up to the GEMM's order of summation above that.
     */
    public float[][] decodeBatch(int[] tokens, int[] positions, KvCache[] caches) {
        return decodeBatch(tokens, positions, caches, null);
    }

    /** As {@link #decodeBatch(int[], int[], KvCache[])}, adding the step's times to {@code profile} (which may be null). */
    public float[][] decodeBatch(int[] tokens, int[] positions, KvCache[] caches, DecodeProfile profile) {
        long start = System.nanoTime();
        long[] attention = {0};
        int b = tokens.length;
        if (b < 1 || positions.length != b || caches.length != b) {
            throw new IllegalArgumentException("decodeBatch needs as many positions and caches as tokens (>= 1), got "
                    + b + ", " + positions.length + ", " + caches.length);
        }
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < i; j++) {
                if (caches[i] == caches[j]) throw new IllegalArgumentException("sequences " + j + " and " + i + " share one KV cache");
            }
        }
        float[] rows = new float[Math.multiplyExact(b, hidden)];
        for (int i = 0; i < b; i++) {
            checkToken(tokens[i]);
            weights.embedTokens().row(tokens[i], rows, i * hidden);
        }
        Scratch s = decodeScratch(b);
        backend.write(s.x, rows, b);
        backend.writeInts(s.positions, positions, b);
        for (int l = 0; l < config.numLayers(); l++) {
            for (KvCache c : caches) checkRoom(c, l);
            int layer = l;
            layer(l, b, s, () -> {
                long t0 = System.nanoTime();
                // Sequence i's row goes through one-row tensors: appendKv and attention read from row 0.
                for (int i = 0; i < b; i++) {
                    KvCache c = caches[i];
                    backend.copyRows(s.q, i, 1, s.oneQ, 0);
                    backend.copyRows(s.k, i, 1, s.oneK, 0);
                    backend.copyRows(s.v, i, 1, s.oneV, 0);
                    backend.writeInts(s.onePosition, new int[] {positions[i]}, 1);
                    c.append(layer, s.oneK, s.oneV, s.onePosition, 1);
                    backend.attention(s.oneQ, 1, s.onePosition, c.layer(layer), c.length(layer), shape, s.oneAttn, null);
                    backend.copyRows(s.oneAttn, 0, 1, s.attn, i);
                }
                attention[0] += System.nanoTime() - t0;
                return null;
            });
        }
        long head = System.nanoTime();
        backend.rmsNorm(s.x, b, resident.finalNorm(), (float) config.rmsNormEps(), s.x);
        backend.gemm(s.x, b, resident.lmHead(), s.logits);
        float[] all = new float[Math.multiplyExact(b, vocab)];
        backend.read(s.logits, 0, b, all);
        float[][] logits = new float[b][];
        for (int i = 0; i < b; i++) logits[i] = Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
        long end = System.nanoTime();
        if (profile != null) profile.add(b, end - start, attention[0], end - head);
        return logits;
    }

    private static void checkRoom(KvCache cache, int l) {
        if (cache.length(l) >= cache.capacity()) {
            throw new IllegalStateException("the KV cache is full (" + cache.capacity() + " tokens): decoding past the capacity it was made with");
        }
    }

    /** The attention of one layer: appends the layer's new keys and values and attends; returns a probe's contribution or null. */
    @FunctionalInterface
    interface AttentionStep {
        float[] run();
    }

    /**
     * One pre-norm decoder layer over {@code n} rows of the residual stream {@code s.x} at {@code s.positions};
     * {@code attend} appends {@code s.k}, {@code s.v} to the cache and writes {@code s.attn} from {@code s.q}. Returns
     * what {@code attend} returns.
     */
    float[] layer(int l, int n, Scratch s, AttentionStep attend) {
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
        float[] contribution = attend.run();
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

    /** Decoding buffers with room for {@code rows} sequences, kept for the next step (one buffer serves fewer rows). */
    private Scratch decodeScratch(int rows) {
        if (decodeScratch == null || decodeScratch.x.rows() < rows) {
            if (decodeScratch != null) decodeScratch.free();
            decodeScratch = new Scratch(rows, true);
        }
        return decodeScratch;
    }

    /** Activation buffers for {@code rows} rows on the backend, reused across layers. */
    final class Scratch {
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
        // One sequence's row of a batched decoding step.
        final Tensor oneQ;
        final Tensor oneK;
        final Tensor oneV;
        final Tensor oneAttn;
        final Tensor onePosition;

        Scratch(int rows) {
            this(rows, false);
        }

        Scratch(int rows, boolean decoding) {
            x = backend.allocate(rows, hidden);
            positions = backend.allocateInts(rows);
            normed = backend.allocate(rows, hidden);
            q = backend.allocate(rows, qWidth);
            k = backend.allocate(rows, kvWidth);
            v = backend.allocate(rows, kvWidth);
            attn = backend.allocate(rows, qWidth);
            gate = backend.allocate(rows, inter);
            up = backend.allocate(rows, inter);
            logits = decoding ? backend.allocate(rows, vocab) : null;
            boolean batched = decoding;
            oneQ = batched ? backend.allocate(1, qWidth) : null;
            oneK = batched ? backend.allocate(1, kvWidth) : null;
            oneV = batched ? backend.allocate(1, kvWidth) : null;
            oneAttn = batched ? backend.allocate(1, qWidth) : null;
            onePosition = batched ? backend.allocateInts(1) : null;
        }

        void free() {
            for (Tensor t : new Tensor[] {x, positions, normed, q, k, v, attn, gate, up, logits, oneQ, oneK, oneV, oneAttn, onePosition}) {
                if (t != null) backend.free(t);
            }
        }
    }
}
