package org.adatoken3d.model.decoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adatoken3d.kernels.Attention;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.Tensor;
import org.adatoken3d.model.NumericalFailure;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.pruning.KeepSet;

/**
 * A prefill run a chunk of prompt rows at a time ({@link #advance}), so that a server can run decoding steps of other
 * sequences between the chunks instead of making them wait for a whole prompt (the chunked prefill of llama.cpp's and
 * vLLM's servers). Made by {@link Decoder#startPrefill}; the result is what {@link Decoder#prefill} gives with logits
 * for the last row.
 *
 * <p>With AdaToken gating after layer K−1 it runs in two stages, because the gate needs every prompt row through
 * layer K−1 before it can choose: first all prompt rows, chunk by chunk, through layers 0..K−1, keeping each row's
 * hidden state; then the rows the gate kept, chunk by chunk, through layers K..L−1. The chunk that holds the first of
 * the contribution's query rows runs to the end of the prompt, so the gate layer measures the contribution from all
 * of them in one attention call, as the one-pass prefill does. Without gating the first stage runs every layer.
 *
 * <p>Each chunk appends its rows' keys and values to the cache and attends over all rows cached so far, so the chunks
 * compute what the one-pass prefill computes; they give the same bits too. No chunk has fewer than
 * {@link #MIN_CHUNK_ROWS} rows unless its whole stage has, so every product goes through the same kernel as in the
 * one-pass prefill (the packed GEMM, the tiled attention), and those compute each row from its own inputs in an order
 * the other rows do not change (attention skips or masks the keys in a query's future, which adds exact zeros).
 */
public final class ChunkedPrefill implements AutoCloseable {
    /**
     * The smallest chunk: fewer rows go through the GEMV and attention's row path, which sum in another order than the
     * GEMM and the tiled path, so a short chunk would round differently from the same rows in a one-pass prefill.
     */
    public static final int MIN_CHUNK_ROWS = Math.max(Gemm.MAX_GEMV_ROWS, Attention.ROW_PATH_MAX_QUERIES) + 1;

    private final Decoder decoder;
    private final Backend backend;
    private final float[] x;
    private final int n;
    private final KvCache cache;
    private final PrefillRequest request;
    private final int chunkRows;
    private final int layers;
    /** Layers of the first stage: up to and including the gate layer, or all of them. */
    private final int firstStageLayers;
    /** The first row the first stage must not split from the prompt's end: the first query row of the gate layer. */
    private final int firstQueryRow;
    private final List<Contribution> contributions;
    private final int[] tokensPerLayer;
    /** Hidden states after the first stage, {@code [n][hidden]}, kept for the second; null without one. */
    private Tensor stageOutput;
    private Decoder.Scratch scratch;
    /** Rows of the second stage: indices of the surviving prompt rows, which are also their positions. */
    private int[] survivors;
    private int next;
    private boolean secondStage;
    private KeepSet keepSet;
    private float[] logits;

    ChunkedPrefill(Decoder decoder, float[] x, int n, KvCache cache, PrefillRequest request, int gateLayer, int chunkRows) {
        if (chunkRows < MIN_CHUNK_ROWS) {
            throw new IllegalArgumentException("prefill chunks must have at least " + MIN_CHUNK_ROWS + " rows, got " + chunkRows);
        }
        if (request.recordEveryLayer() || request.logits() != PrefillRequest.Logits.LAST) {
            throw new IllegalArgumentException("a chunked prefill gives the last row's logits only, without a contribution per layer");
        }
        this.decoder = decoder;
        this.backend = decoder.backend;
        this.x = x;
        this.n = n;
        this.cache = cache;
        this.request = request;
        this.chunkRows = chunkRows;
        this.layers = decoder.config().numLayers();
        boolean gated = gateLayer > 0 && request.spatial().count() > 0;
        this.firstStageLayers = gated ? gateLayer : layers;
        SpatialBlock spatial = request.spatial();
        this.firstQueryRow = gated ? Decoder.queryRows(request.query(), n, spatial.start(), spatial.count())[0] : n;
        this.contributions = new ArrayList<>(Arrays.asList(new Contribution[layers]));
        this.tokensPerLayer = new int[layers];
        Arrays.fill(tokensPerLayer, n);
        if (gated && gateLayer < layers) stageOutput = backend.allocate(n, decoder.config().hiddenSize());
    }

    /** True once every chunk has run. */
    public boolean done() {
        return logits != null;
    }

    /** Prompt rows (of either stage) run so far and in all, for progress reports. */
    public int rowsDone() {
        return secondStage ? n + next : next;
    }

    public int rowsTotal() {
        return n + (survivors == null ? 0 : survivors.length);
    }

    /** Runs the next chunk; returns how many rows it ran. */
    public int advance() {
        if (done()) throw new IllegalStateException("the prefill has run every chunk");
        int total = secondStage ? survivors.length : n;
        int from = next;
        int to = end(from, total, secondStage ? Integer.MAX_VALUE : firstQueryRow);
        int rows = to - from;
        Decoder.Scratch s = scratch(rows);
        int[] positions = new int[rows];
        if (secondStage) {
            System.arraycopy(survivors, from, positions, 0, rows);
            backend.gatherRows(stageOutput, positions, s.x);
        } else {
            int hidden = decoder.config().hiddenSize();
            for (int i = 0; i < rows; i++) positions[i] = from + i;
            backend.write(s.x, Arrays.copyOfRange(x, from * hidden, to * hidden), rows);
        }
        backend.writeInts(s.positions, positions, rows);
        int firstLayer = secondStage ? firstStageLayers : 0, lastLayer = secondStage ? layers : firstStageLayers;
        for (int l = firstLayer; l < lastLayer; l++) {
            ContributionProbe probe = probe(l, from, to);
            int layer = l;
            float[] contribution = decoder.layer(l, rows, s, () -> {
                cache.append(layer, s.k, s.v, s.positions, rows);
                return backend.attention(s.q, rows, s.positions, cache.layer(layer), cache.length(layer), decoder.shape, s.attn, probe);
            });
            if (probe != null) {
                NumericalFailure.checkFinite(contribution, "the attention the spatial tokens received in layer " + l);
                contributions.set(l, Contribution.of(contribution));
            }
        }
        next = to;
        if (!secondStage && stageOutput != null) backend.copyRows(s.x, 0, rows, stageOutput, from);
        if (next < total) return rows;
        if (!secondStage && firstQueryRow < n) gate();
        if (!secondStage && survivors != null) {
            secondStage = true;
            next = 0;
        } else {
            finishWith(s, rows);
        }
        return rows;
    }

    /** The gate's decision from the contribution measured in the gate layer; the rows it keeps are the second stage's. */
    private void gate() {
        keepSet = request.gate().keepSet(contributions.get(firstStageLayers - 1));
        if (firstStageLayers < layers) {
            SpatialBlock spatial = request.spatial();
            survivors = Decoder.survivingRows(n, spatial.start(), spatial.count(), keepSet.kept());
            for (int l = firstStageLayers; l < layers; l++) tokensPerLayer[l] = survivors.length;
        }
    }

    /** The probe of the gate layer, in the chunk holding the query rows; null elsewhere. */
    private ContributionProbe probe(int l, int from, int to) {
        if (secondStage || l != firstStageLayers - 1 || firstQueryRow >= n || to != n) return null;
        SpatialBlock spatial = request.spatial();
        int[] queries = Decoder.queryRows(request.query(), n, spatial.start(), spatial.count());
        for (int i = 0; i < queries.length; i++) queries[i] -= from;
        return new ContributionProbe(queries, spatial.start(), spatial.count());
    }

    /**
     * Where the chunk starting at {@code from} ends: {@code chunkRows} on, but never leaving fewer than
     * {@link #MIN_CHUNK_ROWS} rows for a last chunk, and running to the end once it reaches {@code keepWithEnd}.
     */
    private int end(int from, int total, int keepWithEnd) {
        int to = Math.min(total, from + chunkRows);
        if (total - to < MIN_CHUNK_ROWS || to > keepWithEnd) to = total;
        return to;
    }

    /** The last row's logits, final-normed as {@link Decoder#prefill} norms every row. */
    private void finishWith(Decoder.Scratch s, int rows) {
        int hidden = decoder.config().hiddenSize(), vocab = decoder.config().vocabSize();
        Tensor last = backend.allocate(1, hidden);
        Tensor out = backend.allocate(1, vocab);
        backend.copyRows(s.x, rows - 1, 1, last, 0);
        backend.rmsNorm(last, 1, decoder.resident.finalNorm(), (float) decoder.config().rmsNormEps(), last);
        backend.gemm(last, 1, decoder.resident.lmHead(), out);
        float[] values = new float[vocab];
        backend.read(out, 0, 1, values);
        backend.free(last);
        backend.free(out);
        logits = values;
        close();
    }

    /** What the prefill left besides the cache: as {@link Decoder#prefill} reports it. */
    public PrefillResult result() {
        if (!done()) throw new IllegalStateException("the prefill has chunks left to run");
        int[] positions = survivors;
        if (positions == null) {
            positions = new int[n];
            for (int i = 0; i < n; i++) positions[i] = i;
        }
        return new PrefillResult(positions.clone(), null, logits.clone(), contributions, keepSet, tokensPerLayer.clone());
    }

    private Decoder.Scratch scratch(int rows) {
        if (scratch == null || scratch.x.rows() < rows) {
            if (scratch != null) scratch.free();
            scratch = decoder.new Scratch(rows);
        }
        return scratch;
    }

    /** Frees the chunk buffers (at the end, or when the request goes away first); the cache stays as filled so far. */
    @Override
    public void close() {
        if (scratch != null) scratch.free();
        if (stageOutput != null) backend.free(stageOutput);
        scratch = null;
        stageOutput = null;
    }
}
