package org.adatoken3d.llava3d.spatial;

import java.util.List;
import org.adatoken3d.llava3d.prompt.ClickQuestion;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.TensorNames;

/**
 * LLaVA-3D's click prompt encoder: a clicked point {@code [x, y, z]} (metres, the scene's axis-aligned frame) to one
 * token of the LLM width. It is the 3D position MLP ({@link PositionEmbedding3d}) under
 * {@link PositionEmbedding3d#CLICK_PREFIX}, 3 → hidden → hidden.
 */
public final class ClickEncoder {
    private final PositionEmbedding3d mlp;

    private ClickEncoder(PositionEmbedding3d mlp) {
        this.mlp = mlp;
    }

    /** Loads the click encoder; a checkpoint without one is an error here, so only questions with a click need it. */
    public static ClickEncoder load(Checkpoint checkpoint, DecoderConfig config) {
        String first = TensorNames.CLICK_ENCODER.first().weight();
        if (checkpoint.find(first).isEmpty()) {
            throw new InvalidFileException(checkpoint.directory(), "has no click encoder (" + first
                    + "), so it cannot read the question's [x, y, z] click; ask without one");
        }
        PositionEmbedding3d mlp = PositionEmbedding3d.load(checkpoint, PositionEmbedding3d.CLICK_PREFIX);
        if (mlp.width() != config.hiddenSize()) {
            throw new InvalidFileException(checkpoint.directory(), "the click encoder " + PositionEmbedding3d.CLICK_PREFIX + " is " + mlp.width()
                    + " wide, but the decoder's hidden size is " + config.hiddenSize() + "; they must match");
        }
        return new ClickEncoder(mlp);
    }

    public int width() {
        return mlp.width();
    }

    /** One embedding per click, {@code [clicks][width]}. */
    public float[] encode(List<ClickQuestion.Click> clicks) {
        float[] xyz = new float[clicks.size() * 3];
        for (int i = 0; i < clicks.size(); i++) System.arraycopy(clicks.get(i).xyz(), 0, xyz, i * 3, 3);
        return mlp.embed(xyz, clicks.size());
    }
}
