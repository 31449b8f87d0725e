package org.adatoken3d.model.prompt;

import java.util.Arrays;

/**
 * A prompt's token ids around the place of the spatial block: the decoder's input is {@code beforeSpatial}, then
 * the N spatial tokens (embeddings, not ids), then {@code afterSpatial}. The spatial block starts at position
 * {@code beforeSpatial.length}.
 */
public record PromptTokens(int[] beforeSpatial, int[] afterSpatial) {
    public PromptTokens {
        beforeSpatial = beforeSpatial.clone();
        afterSpatial = afterSpatial.clone();
    }

    @Override
    public int[] beforeSpatial() {
        return beforeSpatial.clone();
    }

    @Override
    public int[] afterSpatial() {
        return afterSpatial.clone();
    }

    /** The position of the first spatial token. */
    public int spatialStart() {
        return beforeSpatial.length;
    }

    /** The prompt's length with {@code spatialTokens} tokens in the spatial block. */
    public int length(int spatialTokens) {
        return beforeSpatial.length + spatialTokens + afterSpatial.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptTokens p && Arrays.equals(beforeSpatial, p.beforeSpatial) && Arrays.equals(afterSpatial, p.afterSpatial);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(beforeSpatial) + Arrays.hashCode(afterSpatial);
    }

    @Override
    public String toString() {
        return "PromptTokens[beforeSpatial=" + Arrays.toString(beforeSpatial) + ", afterSpatial=" + Arrays.toString(afterSpatial) + "]";
    }
}
