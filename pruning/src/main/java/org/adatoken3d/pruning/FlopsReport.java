package org.adatoken3d.pruning;

import java.util.Locale;

/**
 * Cost of one prompt without and with pruning: prefill FLOPs, FLOPs of the first decoded token (each layer's
 * cache holding what prefill left in it) and f32 KV-cache bytes. {@code tokensPerLayer} is the pruned run's.
 */
public record FlopsReport(int promptTokens, int[] tokensPerLayer, long prefillBefore, long prefillAfter,
        long decodeBefore, long decodeAfter, long kvBytesBefore, long kvBytesAfter) {

    public FlopsReport {
        tokensPerLayer = tokensPerLayer.clone();
    }

    @Override
    public int[] tokensPerLayer() {
        return tokensPerLayer.clone();
    }

    /** 1 − after/before of prefill FLOPs. */
    public double prefillSaving() {
        return saving(prefillBefore, prefillAfter);
    }

    public double decodeSaving() {
        return saving(decodeBefore, decodeAfter);
    }

    public double kvSaving() {
        return saving(kvBytesBefore, kvBytesAfter);
    }

    /** 1 − after/before; 0 when before is 0. */
    public static double saving(long before, long after) {
        return before == 0 ? 0.0 : 1.0 - (double) after / before;
    }

    /** Runs of equal counts, e.g. {@code 1470×2, 483×30}. */
    public String tokensPerLayerSummary() {
        StringBuilder s = new StringBuilder();
        for (int l = 0; l < tokensPerLayer.length; ) {
            int run = 1;
            while (l + run < tokensPerLayer.length && tokensPerLayer[l + run] == tokensPerLayer[l]) run++;
            if (!s.isEmpty()) s.append(", ");
            s.append(tokensPerLayer[l]).append('×').append(run);
            l += run;
        }
        return s.toString();
    }

    /** The lines a pruned run prints. */
    public String summary() {
        return String.format(Locale.ROOT,
                "tokens per layer: %s (prompt %d)%n"
                        + "prefill FLOPs:    %.4g -> %.4g (-%.1f%%)%n"
                        + "decode FLOPs/tok: %.4g -> %.4g (-%.1f%%)%n"
                        + "KV cache (f32):   %.1f MiB -> %.1f MiB (-%.1f%%)",
                tokensPerLayerSummary(), promptTokens,
                (double) prefillBefore, (double) prefillAfter, 100 * prefillSaving(),
                (double) decodeBefore, (double) decodeAfter, 100 * decodeSaving(),
                kvBytesBefore / 1048576.0, kvBytesAfter / 1048576.0, 100 * kvSaving());
    }
}
