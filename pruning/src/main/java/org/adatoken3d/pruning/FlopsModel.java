package org.adatoken3d.pruning;

/**
 * Exact arithmetic cost of the decoder (DESIGN.md §2.1 "FLOPs model"), counted as multiply-adds (MACs) of the
 * matrix products and reported as FLOPs = 2 · MACs.
 *
 * <p>Counted per layer, for n tokens present in that layer: the q, k, v projections (n·hidden·(heads + 2·kvHeads)
 * ·headDim, so grouped-query attention is cheaper there), the output projection (n·heads·headDim·hidden), the
 * attention products q·k and p·v for every query head (each query sees the present keys at or before its own
 * position, Σ = n(n+1)/2 under the causal mask, whichever tokens were dropped, because kept tokens keep their
 * order), and the MLP (3 matrices for SwiGLU, 2 otherwise); plus the LM head for the positions whose logits are
 * computed.
 *
 * <p>Not counted: element-wise work (RMSNorm including the final norm, RoPE, softmax, SiLU, biases, residual
 * adds) and the embedding lookup. Each is O(n·hidden) or O(n²·heads) single operations against the counted
 * O(n·hidden²) products: on the 7B shape with a 1470-token prompt they add well under 0.5%.
 *
 * <p>All counts are exact {@code long}s; a shape or prompt so large that they overflow is rejected.
 */
public final class FlopsModel {

    /** Which positions the LM head is applied to during prefill. */
    public enum Logits {
        /** Only the last prompt position: all that generation needs. */
        LAST_TOKEN,
        /** Every position that reaches the last layer (e.g. for perplexity or conformance dumps). */
        EVERY_POSITION
    }

    /** The KV cache is held in f32. */
    public static final int KV_BYTES_PER_ELEMENT = Float.BYTES;

    private final DecoderShape shape;

    public FlopsModel(DecoderShape shape) {
        if (shape == null) throw new IllegalArgumentException("FLOPs model: decoder shape is null");
        this.shape = shape;
    }

    public DecoderShape shape() {
        return shape;
    }

    /** MACs of one decoder layer during prefill with {@code n} tokens present. */
    public long layerPrefillMacs(int n) {
        nonNegative("tokens", n);
        long attention = mul(2, mul(shape.heads(), mul(shape.headDim(), mul(n, n + 1L) / 2)));
        return add(add(mul(n, projectionMacsPerToken()), attention), mul(n, mlpMacsPerToken()));
    }

    /**
     * Prefill FLOPs when layer l holds {@code tokensPerLayer[l]} tokens. With a gate at K, layers &lt; K hold the
     * whole prompt and layers ≥ K the pruned one (see {@link #tokensPerLayer}).
     */
    public long prefillFlops(int[] tokensPerLayer, Logits logits) {
        checkLayers(tokensPerLayer);
        long macs = 0;
        for (int n : tokensPerLayer) macs = add(macs, layerPrefillMacs(n));
        int last = tokensPerLayer[tokensPerLayer.length - 1];
        long positions = logits == Logits.LAST_TOKEN ? Math.min(1, last) : last;
        return mul(2, add(macs, mul(positions, lmHeadMacsPerToken())));
    }

    /**
     * FLOPs to decode one token when layer l's KV cache already holds {@code cacheLengths[l]} entries: the new
     * token attends to those and to itself; one LM head row-set for its logits.
     */
    public long decodeTokenFlops(int[] cacheLengths) {
        checkLayers(cacheLengths);
        long macs = 0;
        for (int cached : cacheLengths) {
            nonNegative("cache length", cached);
            long attention = mul(2, mul(shape.heads(), mul(shape.headDim(), cached + 1L)));
            macs = add(macs, add(add(projectionMacsPerToken(), attention), mlpMacsPerToken()));
        }
        return mul(2, add(macs, lmHeadMacsPerToken()));
    }

    /** Bytes of an f32 KV cache holding {@code cacheLengths[l]} tokens in layer l: 2·kvHeads·headDim·4 each. */
    public long kvCacheBytes(int[] cacheLengths) {
        checkLayers(cacheLengths);
        long tokens = 0;
        for (int n : cacheLengths) {
            nonNegative("cache length", n);
            tokens += n;
        }
        return mul(tokens, mul(2L * shape.kvHeads() * shape.headDim(), KV_BYTES_PER_ELEMENT));
    }

    /**
     * Tokens per layer for a prompt of {@code promptTokens} gated at layer {@code gateLayer} (K) that drops
     * {@code dropped} spatial tokens: layers 0..K−1 hold the whole prompt, layers K..L−1 the rest. A gate layer
     * at or beyond L prunes nothing ({@link GatePolicy#NEVER} included).
     */
    public int[] tokensPerLayer(int promptTokens, int gateLayer, int dropped) {
        nonNegative("prompt tokens", promptTokens);
        if (dropped < 0 || dropped > promptTokens) {
            throw new IllegalArgumentException("FLOPs model: cannot drop " + dropped + " of " + promptTokens + " tokens");
        }
        if (gateLayer < 1) throw new IllegalArgumentException("FLOPs model: gate layer must be >= 1, got " + gateLayer);
        int[] n = new int[shape.layers()];
        for (int l = 0; l < n.length; l++) n[l] = l < gateLayer ? promptTokens : promptTokens - dropped;
        return n;
    }

    /** Unpruned versus pruned prefill, first decoded token and KV cache for one prompt and keep-set. */
    public FlopsReport report(int promptTokens, int gateLayer, KeepSet keepSet, Logits logits) {
        int[] before = tokensPerLayer(promptTokens, GatePolicy.NEVER, 0);
        int[] after = tokensPerLayer(promptTokens, gateLayer, keepSet.droppedCount());
        return new FlopsReport(promptTokens, after,
                prefillFlops(before, logits), prefillFlops(after, logits),
                decodeTokenFlops(before), decodeTokenFlops(after),
                kvCacheBytes(before), kvCacheBytes(after));
    }

    private long projectionMacsPerToken() {
        long qkv = mul(shape.hidden(), mul(shape.heads() + 2L * shape.kvHeads(), shape.headDim()));
        long out = mul(mul(shape.heads(), shape.headDim()), shape.hidden());
        return add(qkv, out);
    }

    private long mlpMacsPerToken() {
        return mul(shape.gatedMlp() ? 3 : 2, mul(shape.hidden(), shape.intermediate()));
    }

    private long lmHeadMacsPerToken() {
        return mul(shape.hidden(), shape.vocab());
    }

    private void checkLayers(int[] perLayer) {
        if (perLayer == null || perLayer.length != shape.layers()) {
            throw new IllegalArgumentException("FLOPs model: expected one count per layer (" + shape.layers()
                    + "), got " + (perLayer == null ? "none" : perLayer.length));
        }
    }

    private static void nonNegative(String what, long value) {
        if (value < 0) throw new IllegalArgumentException("FLOPs model: " + what + " must be >= 0, got " + value);
    }

    private static long mul(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("FLOPs model: count overflows 64 bits; the shape or prompt is too large");
        }
    }

    private static long add(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("FLOPs model: count overflows 64 bits; the shape or prompt is too large");
        }
    }
}
