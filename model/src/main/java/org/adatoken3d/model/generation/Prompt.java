package org.adatoken3d.model.generation;

import java.util.List;
import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.EmbeddedRow;
import org.adatoken3d.model.decoder.SpatialBlock;

/**
 * Prompt ids, optionally with a spatial block whose rows come from {@code spatialEmbeds} ({@code [count][hidden]},
 * already projected) instead of the embedding table, and with rows whose embeddings are given (click tokens); the
 * ids at those rows are placeholders.
 */
public record Prompt(int[] ids, SpatialBlock spatial, float[] spatialEmbeds, List<EmbeddedRow> embeddedRows) {
    public Prompt {
        embeddedRows = embeddedRows == null ? List.of() : List.copyOf(embeddedRows);
    }

    public Prompt(int[] ids, SpatialBlock spatial, float[] spatialEmbeds) {
        this(ids, spatial, spatialEmbeds, List.of());
    }

    public static Prompt text(int[] ids) {
        return new Prompt(ids, null, null);
    }

    /** The decoder's input rows for this prompt, {@code [ids.length][hidden]}. */
    public float[] embed(Decoder decoder) {
        return decoder.embed(ids, spatial, spatialEmbeds, embeddedRows);
    }
}
