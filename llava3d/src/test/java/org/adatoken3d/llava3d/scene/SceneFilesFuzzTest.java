package org.adatoken3d.llava3d.scene;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The scene file parsers on arbitrary bytes: matrix text (poses, intrinsics, axis alignment), a scan's meta file,
 * an EmbodiedScan info JSON, and colour and depth frames. Each either yields a well-formed value or throws {@link InvalidFileException}; any
 * other exception is a finding. Under {@code mvn test} these run in Jazzer's regression mode on the seeds in
 * {@code SceneFilesFuzzTestInputs/<method>/}; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class SceneFilesFuzzTest {
    private static final Path FILE = Path.of("fuzz");

    @FuzzTest(maxDuration = "60s")
    void matrixText(byte[] data) {
        try {
            Matrix4 m = MatrixText.parse(FILE, new String(data, StandardCharsets.UTF_8));
            m.rigidityProblem();
            if (!m.hasInfinity() && !m.hasNaN()) CameraIntrinsics.of(FILE, m);
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void scanMetaFile(byte[] data) {
        try {
            MatrixText.parseAxisAlignment(FILE, new String(data, StandardCharsets.UTF_8));
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void embodiedScanInfo(byte[] data) {
        try {
            Scene scene = EmbodiedScanInfo.parse(FILE, data, false, w -> {});
            if (scene.frames().isEmpty()) throw new AssertionError("a scene without frames was accepted");
            for (SceneFrame f : scene.frames()) {
                if (f.pose().rigidityProblem() != null) throw new AssertionError("a non-rigid pose was accepted: " + f.pose());
            }
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void colourFrame(byte[] data) {
        try {
            RgbImage image = ImageFiles.decodeRgb(FILE, data);
            if (image.rgb().length != image.width() * image.height() * 3) throw new AssertionError("wrong pixel count");
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void depthFrame(byte[] data) {
        try {
            DepthImage image = ImageFiles.decodeDepth(FILE, data);
            image.hasDepth();
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad file.
        }
    }
}
