package org.adatoken3d.pruning;

import java.util.Arrays;

/**
 * The spatial tokens a gate keeps: indices relative to the spatial block, strictly ascending (the kept tokens
 * stay in their original order and keep their RoPE positions), out of {@code total} spatial tokens.
 */
public record KeepSet(int[] kept, int total) {

    public KeepSet {
        if (kept == null) throw new IllegalArgumentException("keep-set: kept array is null");
        if (total < 0) throw new IllegalArgumentException("keep-set: total " + total + " is negative");
        kept = kept.clone();
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] < 0 || kept[i] >= total) {
                throw new IllegalArgumentException("keep-set: index " + kept[i] + " is outside 0.." + (total - 1));
            }
            if (i > 0 && kept[i] <= kept[i - 1]) {
                throw new IllegalArgumentException("keep-set: indices must be strictly ascending, got "
                        + kept[i - 1] + " then " + kept[i]);
            }
        }
    }

    /** Every one of {@code total} tokens. */
    public static KeepSet all(int total) {
        int[] k = new int[total];
        for (int i = 0; i < total; i++) k[i] = i;
        return new KeepSet(k, total);
    }

    @Override
    public int[] kept() {
        return kept.clone();
    }

    public int keptCount() {
        return kept.length;
    }

    public int droppedCount() {
        return total - kept.length;
    }

    /** kept / total; 1 for an empty block, where nothing was dropped. */
    public double keptFraction() {
        return total == 0 ? 1.0 : (double) kept.length / total;
    }

    /** mask[i] is true when spatial token i is kept. */
    public boolean[] mask() {
        boolean[] m = new boolean[total];
        for (int i : kept) m[i] = true;
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeepSet other && total == other.total && Arrays.equals(kept, other.kept);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kept) + total;
    }

    @Override
    public String toString() {
        return "KeepSet[" + kept.length + "/" + total + "]";
    }
}
