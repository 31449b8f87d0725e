package org.adatoken3d.llava3d.spatial;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;

/**
 * The spatial-token file reader on arbitrary bytes: it either yields tokens the decoder can use (finite, {@code count}
 * rows of the model's width, finite positions) or throws {@link InvalidFileException}; any other exception is a finding.
 * Under {@code mvn test} it runs in Jazzer's regression mode on the seeds in {@code SpatialTokensFuzzTestInputs/<method>/};
 * {@code scripts/fuzz} fuzzes it.
 */
class SpatialTokensFuzzTest {
    private static final Path FILE = Path.of("fuzz.safetensors");
    private static final int HIDDEN = 4;

    @FuzzTest(maxDuration = "60s")
    void spatialTokenFile(byte[] data) {
        try (SafetensorsFile file = SafetensorsFile.fromSegment(FILE, MemorySegment.ofArray(data))) {
            // A file of unprojected features needs the checkpoint's projector: this "checkpoint" has none.
            SpatialTokens t = SpatialTokens.from(file, HIDDEN, () -> {
                throw new InvalidFileException(FILE, "the checkpoint has no mm_projector");
            });
            if (t.count() < 1 || t.embeds().length != t.count() * HIDDEN) throw new AssertionError("wrong token rows: " + t.count());
            for (float v : t.embeds()) if (!Float.isFinite(v)) throw new AssertionError("a non-finite token was accepted");
            if (t.xyz() != null) {
                if (t.xyz().length != t.count() * 3) throw new AssertionError("xyz of the wrong length");
                for (float v : t.xyz()) if (!Float.isFinite(v)) throw new AssertionError("a non-finite position was accepted");
            }
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }
}
