package org.adatoken3d.server;

import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.KeepSet;

/**
 * A finished completion.
 *
 * @param text the answer, stop sequence excluded
 * @param finishReason {@code stop} (end of sequence or a stop sequence) or {@code length} (max_tokens or the time limit)
 * @param timeLimited true when the server's per-request time limit ended it
 * @param spatialTokens tokens in the scene's spatial block (0 for a text-only chat)
 * @param keepSet the spatial tokens the gate kept
 * @param policy the gate policy, as {@code PruneSpec.format} writes it
 * @param queueNanos time waiting for a slot
 * @param prefillNanos prefill and the first sampled token
 * @param decodeNanos the remaining tokens
 * @param kvCacheBytes what the request's KV cache held at the end
 */
record Completion(String text, int completionTokens, String finishReason, boolean timeLimited, int promptTokens, int spatialTokens,
        KeepSet keepSet, String policy, FlopsReport flops, long queueNanos, long prefillNanos, long decodeNanos, long kvCacheBytes) {}
