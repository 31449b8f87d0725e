package org.adatoken3d.llava3d.prompt;

import java.util.Arrays;

/**
 * A prompt's token ids around the place of the spatial block: the decoder's input is {@code beforeSpatial}, then
 * the N spatial tokens (embeddings, not ids), then {@code afterSpatial}. The spatial block starts at position
 * {@code beforeSpatial.length}. {@code clickOffsets} are the places in {@code afterSpatial} of the question's click
 * tokens, whose rows come from the click encoder (their ids are placeholders, {@link #CLICK_PLACEHOLDER}).
 */
public record PromptTokens(int[] beforeSpatial, int[] afterSpatial, int[] clickOffsets) {
    /** The id written where a click token goes; its row is replaced, so any valid id serves. */
    public static final int CLICK_PLACEHOLDER = 0;

    public PromptTokens {
        beforeSpatial = beforeSpatial.clone();
        afterSpatial = afterSpatial.clone();
        clickOffsets = clickOffsets.clone();
        for (int c : clickOffsets) {
            if (c < 0 || c >= afterSpatial.length) throw new IllegalArgumentException("click offset " + c + " is outside the " + afterSpatial.length + " ids after the spatial block");
        }
    }

    public PromptTokens(int[] beforeSpatial, int[] afterSpatial) {
        this(beforeSpatial, afterSpatial, new int[0]);
    }

    @Override
    public int[] beforeSpatial() {
        return beforeSpatial.clone();
    }

    @Override
    public int[] afterSpatial() {
        return afterSpatial.clone();
    }

    @Override
    public int[] clickOffsets() {
        return clickOffsets.clone();
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
        return o instanceof PromptTokens p && Arrays.equals(beforeSpatial, p.beforeSpatial) && Arrays.equals(afterSpatial, p.afterSpatial)
                && Arrays.equals(clickOffsets, p.clickOffsets);
    }

    @Override
    public int hashCode() {
        return (31 * Arrays.hashCode(beforeSpatial) + Arrays.hashCode(afterSpatial)) * 31 + Arrays.hashCode(clickOffsets);
    }

    @Override
    public String toString() {
        return "PromptTokens[beforeSpatial=" + Arrays.toString(beforeSpatial) + ", afterSpatial=" + Arrays.toString(afterSpatial)
                + ", clickOffsets=" + Arrays.toString(clickOffsets) + "]";
    }
}
