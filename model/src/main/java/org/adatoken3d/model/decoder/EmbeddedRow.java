package org.adatoken3d.model.decoder;

/**
 * One prompt row whose input embedding is given instead of looked up from a token id: a click token, whose row
 * comes from the click encoder. It lies outside the spatial block, so gating never drops it.
 *
 * @param position the row's place in the prompt
 * @param embedding {@code [hidden]}
 */
public record EmbeddedRow(int position, float[] embedding) {
    public EmbeddedRow {
        if (position < 0) throw new IllegalArgumentException("embedded row position " + position + " is negative");
        embedding = embedding.clone();
    }

    @Override
    public float[] embedding() {
        return embedding.clone();
    }
}
