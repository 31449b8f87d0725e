package org.adatoken3d.llava3d.spatial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spatial-token files that are not one scene's tokens are refused, naming the file and what is wrong. */
class SpatialTokensTest {
    private static final int HIDDEN = 4;
    /** Files here that hold embeds never need the projector; asking for it would be a finding. */
    private static final Supplier<Projector> NO_PROJECTOR = () -> {
        throw new AssertionError("the projector was asked for");
    };

    @TempDir Path tmp;

    private Path write(Map<String, String> meta, TensorSource... tensors) throws Exception {
        Path file = tmp.resolve("tokens-" + System.nanoTime() + ".safetensors");
        SafetensorsWriter.write(file, meta, new ArrayList<>(List.of(tensors)));
        return file;
    }

    private static TensorSource floats(String name, int rows, int width, float fill) {
        float[] v = new float[rows * width];
        java.util.Arrays.fill(v, fill);
        return TensorSource.ofFloats(name, DType.F32, new long[] {rows, width}, v);
    }

    private void refused(Path file, String problem) {
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> SpatialTokens.read(file, HIDDEN, NO_PROJECTOR));
        assertTrue(e.getMessage().contains(problem) && e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void aSoundFileIsRead() throws Exception {
        SpatialTokens t = SpatialTokens.read(write(Map.of("format", "pt"), floats("embeds", 3, HIDDEN, 0.5f), floats("xyz", 3, 3, 1f)),
                HIDDEN, NO_PROJECTOR);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, t.xyz());
    }

    @Test
    void bothEmbedsAndFeaturesAreRefused() throws Exception {
        refused(write(Map.of(), floats("embeds", 3, HIDDEN, 0.5f), floats("features", 3, 8, 0.5f)), "both 'embeds' and 'features'");
    }

    @Test
    void integerFeaturesOrEmbedsAreRefused() throws Exception {
        refused(write(Map.of(), TensorSource.ofInts("features", new long[] {2, 8}, new int[16])), "features is I32");
        refused(write(Map.of(), TensorSource.ofInts("embeds", new long[] {2, HIDDEN}, new int[2 * HIDDEN])), "embeds is I32");
    }

    @Test
    void nonFinitePositionsAreRefused() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            refused(write(Map.of(), floats("embeds", 2, HIDDEN, 0.5f), floats("xyz", 2, 3, bad)), "xyz holds non-finite positions");
        }
    }

    @Test
    void thePackedMultiSceneFileIsNotReadAsOneScene() throws Exception {
        // The spatial-QA split's scene file (conformance/python/spatialqa/README.md) names its format.
        Path split = write(Map.of("format", "adatoken3d-spatialqa/1", "seed", "3"), floats("features", 6, 8, 0.5f), floats("xyz", 6, 3, 0f),
                TensorSource.ofLongs("owner", new long[] {6}, new long[6]), TensorSource.ofLongs("offsets", new long[] {3}, new long[] {0, 3, 6}));
        refused(split, "adatoken3d-spatialqa/1");
    }
}
