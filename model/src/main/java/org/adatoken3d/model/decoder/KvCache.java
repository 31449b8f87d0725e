package org.adatoken3d.model.decoder;

import org.adatoken3d.kernels.EngineArgumentException;
import java.util.Arrays;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.KvLayer;
import org.adatoken3d.kernels.backend.Tensor;

/**
 * Keys and values of every layer, allocated once for {@code capacity} rows on the decoder's backend. Layers fill
 * independently: after AdaToken gating the layers at and above the gate hold only the kept tokens, so each layer
 * has its own length and its own key positions (kept tokens keep their original RoPE positions). The lengths are
 * kept here on the host; the rows themselves never leave the backend.
 *
 * <p>Layout per layer is head-major, {@code [kvHeads][capacity][headDim]}, so one head's keys are contiguous
 * for the attention kernel.
 */
public final class KvCache {
    private final Backend backend;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int capacity;
    private final KvLayer[] caches;
    private final int[] lengths;

    private KvCache(Backend backend, int layers, int kvHeads, int headDim, int capacity) {
        this.backend = backend;
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.capacity = capacity;
        this.caches = new KvLayer[layers];
        this.lengths = new int[layers];
        for (int l = 0; l < layers; l++) {
            caches[l] = new KvLayer(backend.allocate(kvHeads * capacity, headDim), backend.allocate(kvHeads * capacity, headDim),
                    backend.allocateInts(capacity), kvHeads, capacity);
        }
    }

    /** Bytes one cached token costs in one layer (keys and values, f32). */
    public static long bytesPerTokenPerLayer(int kvHeads, int headDim) {
        return 2L * kvHeads * headDim * Float.BYTES;
    }

    /**
     * Allocates a cache of {@code capacity} rows per layer on {@code backend}, or explains why it does not fit
     * {@code budgetBytes}.
     */
    public static KvCache allocate(Backend backend, int layers, int kvHeads, int headDim, int capacity, long budgetBytes) {
        long need = bytesPerTokenPerLayer(kvHeads, headDim) * layers * capacity;
        if (need > budgetBytes) {
            throw new EngineArgumentException("kvBudgetBytes", String.format(
                    "is too small: the KV cache for %d tokens needs %.2f GiB (%d layers x %d KV heads x %d dims, f32 keys and values), "
                            + "over the budget of %.2f GiB; use fewer tokens or a larger budget",
                    capacity, need / 1073741824.0, layers, kvHeads, headDim, budgetBytes / 1073741824.0));
        }
        if ((long) kvHeads * headDim * capacity > Integer.MAX_VALUE - 8) {
            throw new EngineArgumentException("maxTokens", "is too large: a KV cache of " + capacity + " tokens exceeds one layer's array limit");
        }
        return new KvCache(backend, layers, kvHeads, headDim, capacity);
    }

    /** Appends {@code rows} tokens given row-major as {@code [rows][kvHeads*headDim]}, at {@code rowPositions}. */
    public void append(int layer, Tensor k, Tensor v, Tensor rowPositions, int rows) {
        int start = lengths[layer];
        if (start + rows > capacity) {
            throw new IllegalStateException("KV cache of layer " + layer + " is full (" + capacity + " rows)");
        }
        backend.appendKv(k, v, rowPositions, rows, caches[layer], start);
        lengths[layer] = start + rows;
    }

    /** Layer {@code layer}'s keys, values and positions on the backend. */
    public KvLayer layer(int layer) {
        return caches[layer];
    }

    public int length(int layer) {
        return lengths[layer];
    }

    public int[] lengths() {
        return lengths.clone();
    }

    public int capacity() {
        return capacity;
    }

    public int layers() {
        return layers;
    }

    /** Bytes the cached tokens take now, summed over layers. */
    public long usedBytes() {
        long rows = Arrays.stream(lengths).asLongStream().sum();
        return rows * bytesPerTokenPerLayer(kvHeads, headDim);
    }

    /** Forgets every token, keeping the allocation for the next prompt. */
    public void clear() {
        Arrays.fill(lengths, 0);
    }
}
