package org.adatoken3d.llava3d.spatial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.Tensor;
import org.adatoken3d.weights.TensorSource;

/**
 * A scene as the decoder reads it: {@code count} spatial tokens, already projected to the LLM width, with their
 * positions in metres when known. As a file: {@code embeds [N, hidden]} (projected) or {@code features [N, mm_hidden]}
 * (projected on reading with the checkpoint's mm_projector), and optionally {@code xyz [N, 3]}.
 *
 * @param embeds {@code [count][hidden]}, ready for the decoder
 * @param xyz {@code [count][3]} or null
 */
public record SpatialTokens(int count, float[] embeds, float[] xyz) {

    /**
     * Reads a spatial-token file for a decoder of width {@code hidden}; {@code projector} is asked for only when the
     * file holds unprojected {@code features}.
     */
    public static SpatialTokens read(Path file, int hidden, Supplier<Projector> projector) {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            return from(in, hidden, projector);
        }
    }

    /** The spatial tokens of an open safetensors file (read whole; the file may be closed afterwards). */
    public static SpatialTokens from(SafetensorsFile in, int hidden, Supplier<Projector> projector) {
        Path file = in.path();
        String format = in.metadata().get("format");
        // The project's own formats name themselves; safetensors' framework tags ("pt", "np") say nothing of the content.
        if (format != null && format.startsWith("adatoken3d-")) {
            throw new InvalidFileException(file, "is a '" + format + "' file, not one scene's spatial tokens"
                    + (format.startsWith("adatoken3d-spatialqa/") ? " (a spatial-QA split holds many scenes: use it through its questions file)" : ""));
        }
        Optional<Tensor> embeds = in.find("embeds");
        Optional<Tensor> features = in.find("features");
        if (embeds.isPresent() && features.isPresent()) {
            throw new InvalidFileException(file, "holds both 'embeds' and 'features'; a spatial-token file holds one of them");
        }
        float[] rows;
        int count;
        if (embeds.isPresent()) {
            Tensor t = matrix(file, embeds.get(), hidden);
            count = Math.toIntExact(t.dim(0));
            rows = t.toFloatArray();
        } else if (features.isPresent()) {
            if (!features.get().dtype().isFloatingPoint()) {
                throw new InvalidFileException(file, "tensor features is " + features.get().dtype() + "; features are floats [N, mm_hidden]");
            }
            Projector p = projector.get();
            Tensor t = matrix(file, features.get(), p.inputWidth());
            count = Math.toIntExact(t.dim(0));
            rows = p.project(t.toFloatArray(), count);
        } else {
            throw new InvalidFileException(file, "holds neither 'embeds' [N, " + hidden + "] nor 'features' [N, mm_hidden]");
        }
        if (count < 1) throw new InvalidFileException(file, "holds no spatial tokens");
        float[] xyz = null;
        Optional<Tensor> positions = in.find("xyz");
        if (positions.isPresent()) {
            Tensor t = positions.get();
            if (!t.dtype().isFloatingPoint() || t.rank() != 2 || t.dim(0) != count || t.dim(1) != 3) {
                throw new InvalidFileException(file, "xyz is " + t.dtype() + " " + t.shapeString() + ", expected floats [" + count + ", 3]");
            }
            xyz = t.toFloatArray();
        }
        for (float v : rows) {
            if (!Float.isFinite(v)) throw new InvalidFileException(file, "spatial tokens contain non-finite values");
        }
        if (xyz != null) {
            for (float v : xyz) if (!Float.isFinite(v)) throw new InvalidFileException(file, "xyz holds non-finite positions");
        }
        return new SpatialTokens(count, rows, xyz);
    }

    /**
     * Writes these tokens as {@code embeds} (and {@code xyz}) F32, so that {@link #read} gives them back exactly and a
     * scene is encoded once and asked many times. The file appears whole or not at all.
     */
    public void save(Path file) {
        int hidden = embeds.length / count;
        List<TensorSource> tensors = new ArrayList<>();
        tensors.add(TensorSource.ofFloats("embeds", DType.F32, new long[] {count, hidden}, embeds));
        if (xyz != null) tensors.add(TensorSource.ofFloats("xyz", DType.F32, new long[] {count, 3}, xyz));
        try {
            SafetensorsWriter.write(file, Map.of("format", "pt", "content", "adatoken3d spatial tokens"), tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the spatial tokens: " + e.getMessage(), e);
        }
    }

    private static Tensor matrix(Path file, Tensor t, int width) {
        if (!t.dtype().isFloatingPoint() || t.rank() != 2 || t.dim(1) != width) {
            throw new InvalidFileException(file, "tensor " + t.name() + " is " + t.dtype() + " " + t.shapeString() + ", expected floats [N, " + width + "]");
        }
        if (t.elementCount() > Integer.MAX_VALUE - 8) throw new InvalidFileException(file, "tensor " + t.name() + " " + t.shapeString() + " is too large to read");
        return t;
    }
}
