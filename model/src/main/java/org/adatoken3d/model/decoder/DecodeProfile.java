package org.adatoken3d.model.decoder;

/**
 * Where the time of {@link Decoder#decodeBatch} steps went, summed over the steps it was handed to: attention (each
 * sequence's KV append and attention over its own cache), the head (final norm, LM head, logits back to the host) and
 * the rest, which is the layers' matrices with their norms, RoPE and activations: the pass over the weights. On a
 * backend that runs asynchronously the parts are where the host waited, not where the device worked; the total holds.
 */
public final class DecodeProfile {
    private long steps;
    private long rows;
    private long totalNanos;
    private long attentionNanos;
    private long headNanos;

    void add(int batch, long total, long attention, long head) {
        steps++;
        rows += batch;
        totalNanos += total;
        attentionNanos += attention;
        headNanos += head;
    }

    public long steps() {
        return steps;
    }

    /** Sequences decoded, one token each per step. */
    public long rows() {
        return rows;
    }

    public long totalNanos() {
        return totalNanos;
    }

    public long attentionNanos() {
        return attentionNanos;
    }

    public long headNanos() {
        return headNanos;
    }

    /** The layers without their attention: the step's pass over the weights. */
    public long matrixNanos() {
        return totalNanos - attentionNanos - headNanos;
    }
}
