package org.adatoken3d.llava3d;

import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.KeepSet;

/**
 * What {@link Llava3d#ask} gives back.
 *
 * @param text the answer (stripped of nothing: as generated)
 * @param ids the answer's token ids, the stop token excluded
 * @param stop why generation ended
 * @param keepSet the spatial tokens the gate kept; every token when it did not prune (empty for a text-only prompt)
 * @param flops prefill and decoding FLOPs and KV-cache bytes from the FLOPs model, with and without this pruning
 * @param kvCacheBytes what the KV cache held at the end, measured
 * @param promptTokens the prompt's length before pruning
 * @param prefillNanos time to first token: the prefill and the first sampled token
 * @param decodeNanos time spent decoding the remaining tokens
 */
public record Answer(String text, int[] ids, Generation.StopReason stop, KeepSet keepSet, FlopsReport flops, long kvCacheBytes,
        int promptTokens, long prefillNanos, long decodeNanos) {

    /** Decoding speed after the first token, tokens per second; NaN when at most one token was generated. */
    public double decodeTokensPerSecond() {
        int decoded = ids.length - 1;
        return decoded < 1 ? Double.NaN : decoded / (decodeNanos / 1e9);
    }

    /** Prefill FLOPs with this pruning over unpruned prefill FLOPs. */
    public double prefillFlopsShare() {
        return (double) flops.prefillAfter() / flops.prefillBefore();
    }
}
