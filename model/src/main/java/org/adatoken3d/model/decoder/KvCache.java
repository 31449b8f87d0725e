package org.adatoken3d.model.decoder;

import java.util.Arrays;

/**
 * Keys and values of every layer, allocated once for {@code capacity} rows. Layers fill independently: after
 * AdaToken gating the layers at and above the gate hold only the kept tokens, so each layer has its own length
 * and its own key positions (kept tokens keep their original RoPE positions).
 *
 * <p>Layout per layer is head-major, {@code [kvHeads][capacity][headDim]}, so one head's keys are contiguous
 * for the attention kernel.
 */
public final class KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;
    private final int[][] positions;
    private final int[] lengths;

    private KvCache(int layers, int kvHeads, int headDim, int capacity) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.capacity = capacity;
        this.keys = new float[layers][];
        this.values = new float[layers][];
        this.positions = new int[layers][capacity];
        this.lengths = new int[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = new float[Math.multiplyExact(kvHeads * headDim, capacity)];
            values[l] = new float[kvHeads * headDim * capacity];
        }
    }

    /** Bytes one cached token costs in one layer (keys and values, f32). */
    public static long bytesPerTokenPerLayer(int kvHeads, int headDim) {
        return 2L * kvHeads * headDim * Float.BYTES;
    }

    /**
     * Allocates a cache of {@code capacity} rows per layer, or explains why it does not fit {@code budgetBytes}.
     */
    public static KvCache allocate(int layers, int kvHeads, int headDim, int capacity, long budgetBytes) {
        long need = bytesPerTokenPerLayer(kvHeads, headDim) * layers * capacity;
        if (need > budgetBytes) {
            throw new IllegalArgumentException(String.format(
                    "the KV cache for %d tokens needs %.2f GiB (%d layers x %d KV heads x %d dims, f32 keys and values), "
                            + "over the budget of %.2f GiB; use fewer tokens or raise --kv-budget",
                    capacity, need / 1073741824.0, layers, kvHeads, headDim, budgetBytes / 1073741824.0));
        }
        if ((long) kvHeads * headDim * capacity > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " tokens exceeds one layer's array limit");
        }
        return new KvCache(layers, kvHeads, headDim, capacity);
    }

    /** Appends {@code rows} tokens given row-major as {@code [rows][kvHeads*headDim]}. */
    public void append(int layer, float[] k, float[] v, int[] rowPositions, int rows) {
        int start = lengths[layer];
        if (start + rows > capacity) {
            throw new IllegalStateException("KV cache of layer " + layer + " is full (" + capacity + " rows)");
        }
        int width = kvHeads * headDim;
        float[] kc = keys[layer];
        float[] vc = values[layer];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < kvHeads; h++) {
                int dst = (h * capacity + start + r) * headDim;
                System.arraycopy(k, r * width + h * headDim, kc, dst, headDim);
                System.arraycopy(v, r * width + h * headDim, vc, dst, headDim);
            }
            positions[layer][start + r] = rowPositions[r];
        }
        lengths[layer] = start + rows;
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    public int[] positions(int layer) {
        return positions[layer];
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
