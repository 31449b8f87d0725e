package org.adatoken3d.llava3d.spatial;

import java.nio.file.Path;
import java.util.Optional;
import org.adatoken3d.model.Model;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;

/**
 * Spatial tokens given as a file: {@code embeds [N, hidden]} (already projected) or {@code features [N, mm_hidden]}
 * (projected here with the checkpoint's mm_projector), and optionally {@code xyz [N, 3]} token positions in metres.
 *
 * @param embeds {@code [count][hidden]}, ready for the decoder
 * @param xyz {@code [count][3]} or null
 */
public record SpatialInput(int count, float[] embeds, float[] xyz) {

    public static SpatialInput read(Path file, Model model) {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            int hidden = model.config().hiddenSize();
            Optional<Tensor> embeds = in.find("embeds");
            Optional<Tensor> features = in.find("features");
            float[] rows;
            int count;
            if (embeds.isPresent()) {
                Tensor t = matrix(file, embeds.get(), hidden);
                count = Math.toIntExact(t.dim(0));
                rows = t.toFloatArray();
            } else if (features.isPresent()) {
                Projector projector = Projector.load(model.checkpoint(), model.config());
                Tensor t = matrix(file, features.get(), projector.inputWidth());
                count = Math.toIntExact(t.dim(0));
                rows = projector.project(t.toFloatArray(), count);
            } else {
                throw new InvalidFileException(file, "holds neither 'embeds' [N, " + hidden + "] nor 'features' [N, mm_hidden]");
            }
            if (count < 1) throw new InvalidFileException(file, "holds no spatial tokens");
            float[] xyz = null;
            Optional<Tensor> positions = in.find("xyz");
            if (positions.isPresent()) {
                Tensor t = positions.get();
                if (t.rank() != 2 || t.dim(0) != count || t.dim(1) != 3) {
                    throw new InvalidFileException(file, "xyz has shape " + t.shapeString() + ", expected [" + count + ", 3]");
                }
                xyz = t.toFloatArray();
            }
            for (float v : rows) {
                if (!Float.isFinite(v)) throw new InvalidFileException(file, "spatial tokens contain non-finite values");
            }
            return new SpatialInput(count, rows, xyz);
        }
    }

    private static Tensor matrix(Path file, Tensor t, int width) {
        if (t.rank() != 2 || t.dim(1) != width) {
            throw new InvalidFileException(file, "tensor " + t.name() + " has shape " + t.shapeString() + ", expected [N, " + width + "]");
        }
        return t;
    }
}
