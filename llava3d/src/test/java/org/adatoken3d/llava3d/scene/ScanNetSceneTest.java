package org.adatoken3d.llava3d.scene;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanNetSceneTest {
    @TempDir Path tmp;

    private Path scene(int frames, int invalidEvery) {
        Path dir = tmp.resolve("scene0000_00");
        SyntheticScene.write(dir, new SyntheticScene.Options(frames, 48, 36, 3, 7, invalidEvery));
        return dir;
    }

    @Test
    void opensSyntheticSceneWithPosesIntrinsicsAndAlignment() {
        Path dir = scene(12, 0);
        List<String> warnings = new ArrayList<>();
        Scene s = ScanNetScene.open(dir, warnings::add);
        assertEquals(12, s.frames().size());
        assertEquals(List.of(), warnings);
        assertEquals("0", s.frames().get(0).name());
        assertEquals("11", s.frames().get(11).name(), "frames ordered by number, not by name (10 < 2)");
        assertEquals(0.9 * 48, s.depthIntrinsics().fx(), 1e-6);
        assertNotNull(s.colorIntrinsics());
        assertTrue(s.axisAlignment().rigidityProblem() == null);
        assertEquals(12, s.sample(20).size());
        assertEquals(List.of("0", "2", "4", "6", "8", "10"), s.sample(6).stream().map(SceneFrame::name).toList());
    }

    @Test
    void framesWithInfinitePosesAreSkippedWithAWarning() {
        Path dir = scene(12, 4);
        List<String> warnings = new ArrayList<>();
        Scene s = ScanNetScene.open(dir, warnings::add);
        assertEquals(9, s.frames().size());
        assertEquals(3, s.skipped());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("skipped 3 of 12 frames") && warnings.get(0).contains("3, 7, 11"), warnings.get(0));
        assertTrue(s.frames().stream().noneMatch(f -> f.name().equals("3")));
    }

    @Test
    void sceneWithoutAnyValidPoseIsAnError() {
        Path dir = scene(3, 1);
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(dir, w -> {}));
        assertTrue(e.getMessage().contains("no frame has a valid pose"), e.getMessage());
    }

    @Test
    void mismatchedCountsNameTheMissingFile() throws IOException {
        Path dir = scene(5, 0);
        Files.delete(dir.resolve("depth/3.png"));
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(dir, w -> {}));
        assertEquals(dir + ": frame counts do not match: color/ 5, depth/ 4, pose/ 5; frame 3 has no depth/3.png", e.getMessage());
        Files.copy(dir.resolve("depth/2.png"), dir.resolve("depth/3.png"));
        Files.writeString(dir.resolve("pose/9.txt"), SyntheticScene.matrixText(Matrix4.identity().m()));
        e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(dir, w -> {}));
        assertTrue(e.getMessage().endsWith("pose/9.txt has no colour frame"), e.getMessage());
    }

    @Test
    void nonRigidOrNaNPoseIsAnErrorNamingTheFile() throws IOException {
        Path dir = scene(4, 0);
        Files.writeString(dir.resolve("pose/2.txt"), "2 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(dir, w -> {}));
        assertTrue(e.getMessage().startsWith(dir.resolve("pose/2.txt") + ": is not a camera pose: rotation part is not orthonormal"), e.getMessage());
        Files.writeString(dir.resolve("pose/2.txt"), "nan 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n");
        e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(dir, w -> {}));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    }

    @Test
    void missingPartsAreNamed() throws IOException {
        Path dir = scene(2, 0);
        Files.delete(dir.resolve("intrinsic/intrinsic_depth.txt"));
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(dir, w -> {}));
        assertEquals(dir.resolve("intrinsic/intrinsic_depth.txt") + ": does not exist", e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> ScanNetScene.open(tmp.resolve("nowhere"), w -> {}));
        assertTrue(e.getMessage().contains("is not a scene folder"));
    }

    @Test
    void axisAlignmentFallsBackToScanMetaFileThenIdentity() throws IOException {
        Path dir = scene(2, 0);
        Matrix4 written = MatrixText.read(dir.resolve(ScanNetScene.AXIS_ALIGN_FILE));
        Files.delete(dir.resolve(ScanNetScene.AXIS_ALIGN_FILE));
        StringBuilder line = new StringBuilder("axisAlignment =");
        for (double v : written.m()) line.append(' ').append(v);
        Files.writeString(dir.resolve("scene0000_00.txt"), "sceneType = Office\n" + line + "\n");
        assertEquals(written, ScanNetScene.open(dir, w -> {}).axisAlignment());
        Files.delete(dir.resolve("scene0000_00.txt"));
        List<String> warnings = new ArrayList<>();
        assertEquals(Matrix4.identity(), ScanNetScene.open(dir, warnings::add).axisAlignment());
        assertTrue(warnings.get(0).contains("using the identity"));
    }

    @Test
    void unreadableFramesNameTheFile() throws IOException {
        Path dir = scene(2, 0);
        Files.writeString(dir.resolve("color/1.jpg"), "not a jpeg");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> ImageFiles.readRgb(dir.resolve("color/1.jpg")));
        assertTrue(e.getMessage().startsWith(dir.resolve("color/1.jpg") + ": is not an image"), e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> ImageFiles.readDepth(dir.resolve("color/0.jpg")));
        assertTrue(e.getMessage().contains("must be 16-bit single-channel PNG"), e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> ImageFiles.readRgb(dir.resolve("color/7.jpg")));
        assertTrue(e.getMessage().endsWith("does not exist"));
    }

    @Test
    void syntheticFramesReadBackWithTheirDepth() {
        Path dir = scene(3, 0);
        RgbImage rgb = ImageFiles.readRgb(dir.resolve("color/0.jpg"));
        DepthImage depth = ImageFiles.readDepth(dir.resolve("depth/0.png"));
        assertEquals(48, rgb.width());
        assertEquals(36, depth.height());
        assertTrue(depth.hasDepth());
        for (char u : depth.units()) assertTrue(u > 200 && u < 8000, "depth " + (int) u + " mm inside a 6 x 5 x 3 m room");
    }
}
