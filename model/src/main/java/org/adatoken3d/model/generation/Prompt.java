package org.adatoken3d.model.generation;

import org.adatoken3d.model.decoder.SpatialBlock;

/**
 * Prompt ids, optionally with a spatial block whose rows come from {@code spatialEmbeds} ({@code [count][hidden]},
 * already projected) instead of the embedding table; the ids inside the block are placeholders.
 */
public record Prompt(int[] ids, SpatialBlock spatial, float[] spatialEmbeds) {
    public static Prompt text(int[] ids) {
        return new Prompt(ids, null, null);
    }
}
