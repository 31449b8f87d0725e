package org.adatoken3d.model.generation;

import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillResult;

/**
 * The outcome of one generation.
 *
 * @param generated token ids after the prompt (the stop token excluded)
 * @param prefillNanos time to first token: the prefill including the first sampled token
 * @param decodeNanos time spent decoding the remaining tokens
 */
public record Generation(int[] generated, String text, StopReason stop, PrefillResult prefill, KvCache cache,
        int promptTokens, long prefillNanos, long decodeNanos) {

    public enum StopReason {
        EOS,
        STOP_STRING,
        MAX_TOKENS,
        /** The sequence reached the model's context ({@code max_position_embeddings}) before {@code maxTokens}. */
        LENGTH,
        CANCELLED
    }

    /** Decoding speed after the first token, tokens per second (NaN when nothing was decoded). */
    public double decodeTokensPerSecond() {
        int decoded = Math.max(0, generated.length - 1);
        return decoded == 0 ? Double.NaN : decoded / (decodeNanos / 1e9);
    }
}
