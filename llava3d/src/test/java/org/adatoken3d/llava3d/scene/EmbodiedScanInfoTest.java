package org.adatoken3d.llava3d.scene;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class EmbodiedScanInfoTest {
    @TempDir Path tmp;

    private Path scene(String name, int frames, int invalidEvery, SyntheticScene.Layout layout) {
        Path dir = tmp.resolve(name);
        SyntheticScene.write(dir, new SyntheticScene.Options(frames, 48, 36, 3, 7, invalidEvery), layout);
        return dir;
    }

    private Path info(int frames, int invalidEvery) {
        return scene("es", frames, invalidEvery, SyntheticScene.Layout.EMBODIEDSCAN).resolve(SyntheticScene.INFO_FILE);
    }

    /** Writes a one-scene info file by hand around the given images list and scene-level fields. */
    private Path handWritten(String sceneFields, String images) throws IOException {
        Path dir = scene("hand", 2, 0, SyntheticScene.Layout.EMBODIEDSCAN);
        Path file = dir.resolve("hand.json");
        Files.delete(dir.resolve(SyntheticScene.INFO_FILE));
        Files.writeString(file, "{" + sceneFields + (sceneFields.isEmpty() ? "" : ", ") + "\"images\": " + images + "}");
        return file;
    }

    private static final String K3 = "[[40, 0, 23.5], [0, 40, 17.5], [0, 0, 1]]";
    private static final String POSE = "[[1, 0, 0, 0.5], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]]";

    private static String image(int i, String pose) {
        return String.format("{\"img_path\": \"posed_images/%05d.jpg\", \"depth_path\": \"posed_images/%05d.png\", \"cam2global\": %s}", i, i, pose);
    }

    @Test
    void framePathsOutsideTheInfoFilesFolderAreRefused() throws IOException {
        Path dir = scene("confined", 2, 0, SyntheticScene.Layout.EMBODIEDSCAN);
        Path outside = Files.writeString(tmp.resolve("secret.png"), "not a frame");
        Files.createSymbolicLink(dir.resolve("escape.png"), outside);
        Path file = dir.resolve("confined.json");
        for (String field : new String[] {"img_path", "depth_path"}) {
            for (String[] c : new String[][] {{"../../../../etc/passwd", "lies outside"}, {"/etc/passwd", "is the absolute path"},
                    {"posed_images/../../secret.png", "lies outside"}, {"escape.png", "symbolic link"}}) {
                String img = field.equals("img_path") ? c[0] : "posed_images/00000.jpg";
                String depth = field.equals("depth_path") ? c[0] : "posed_images/00000.png";
                Files.writeString(file, "{\"cam2img\": " + K3 + ", \"images\": [{\"img_path\": \"" + img + "\", \"depth_path\": \"" + depth
                        + "\", \"cam2global\": " + POSE + "}]}");
                InvalidFileException e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(file, w -> {}), c[0]);
                assertTrue(e.getMessage().contains("images[0]." + field) && e.getMessage().contains(c[1]), e.getMessage());
            }
        }
    }

    @Test
    void bothLayoutsOfOneSceneReadBackAsTheSameFramesIntrinsicsAndPoses() {
        Scene scanNet = ScanNetScene.open(scene("sn", 12, 5, SyntheticScene.Layout.SCANNET), w -> {});
        List<String> warnings = new ArrayList<>();
        Scene es = EmbodiedScanInfo.read(info(12, 5), warnings::add);
        assertEquals(EmbodiedScanInfo.LAYOUT, es.layout());
        assertEquals(scanNet.frames().size(), es.frames().size());
        assertEquals(2, es.skipped());
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("skipped 2 of 12 frames") && warnings.getFirst().contains("00004, 00009"), warnings.getFirst());
        for (int i = 0; i < es.frames().size(); i++) {
            assertEquals(scanNet.frames().get(i).pose(), es.frames().get(i).pose(), "pose of frame " + i);
            assertTrue(Files.exists(es.frames().get(i).color()));
        }
        assertEquals(scanNet.depthIntrinsics(), es.depthIntrinsics());
        assertEquals(scanNet.colorIntrinsics(), es.colorIntrinsics());
        assertEquals(scanNet.axisAlignment(), es.axisAlignment());
        assertEquals(1000.0, es.depthScale());
        assertEquals(List.of("00000", "00002", "00005", "00007"), es.sample(4).stream().map(SceneFrame::name).toList());
    }

    @Test
    void sceneOpenTellsTheLayoutsApart() {
        Path es = info(3, 0);
        assertEquals(EmbodiedScanInfo.LAYOUT, Scene.open(es, w -> {}).layout());
        assertEquals(EmbodiedScanInfo.LAYOUT, Scene.open(es.getParent(), w -> {}).layout(), "a folder holding one info file");
        assertEquals(ScanNetScene.LAYOUT, Scene.open(scene("sn", 3, 0, SyntheticScene.Layout.SCANNET), w -> {}).layout());
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Scene.open(tmp.resolve("nowhere"), w -> {}));
        assertTrue(e.getMessage().contains("is not a scene folder"), e.getMessage());
    }

    @Test
    void aBareSceneObjectWith3x3IntrinsicsAndNoAlignmentReads() throws IOException {
        Path file = handWritten("\"cam2img\": " + K3, "[" + image(0, POSE) + ", " + image(1, POSE) + "]");
        List<String> warnings = new ArrayList<>();
        Scene s = EmbodiedScanInfo.read(file, warnings::add);
        assertEquals(new CameraIntrinsics(40, 40, 23.5, 17.5), s.depthIntrinsics(), "without depth_cam2img the depth camera is cam2img");
        assertEquals(Matrix4.identity(), s.axisAlignment());
        assertTrue(warnings.getFirst().contains("no axis_align_matrix; using the identity"), warnings.toString());
        assertEquals(file.getParent().resolve("posed_images/00001.png"), s.frames().get(1).depth(), "paths are relative to the JSON's folder");
    }

    @Test
    void perImageIntrinsicsServeWhenTheSceneHasNoneButMustAgree() throws IOException {
        String withK = "{\"img_path\": \"posed_images/00000.jpg\", \"depth_path\": \"posed_images/00000.png\", \"cam2global\": " + POSE
                + ", \"cam2img\": " + K3 + "}";
        Scene s = EmbodiedScanInfo.read(handWritten("", "[" + withK + "]"), w -> {});
        assertEquals(40, s.depthIntrinsics().fx());
        String other = withK.replace("00000", "00001").replace("[[40,", "[[41,");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(handWritten("", "[" + withK + ", " + other + "]"), w -> {}));
        assertTrue(e.getMessage().endsWith("images[1].cam2img differs from images[0].cam2img; frames with different intrinsics are not supported"), e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(handWritten("", "[" + image(0, POSE) + "]"), w -> {}));
        assertTrue(e.getMessage().contains("cam2img is missing"), e.getMessage());
    }

    @Test
    void depthScaleComesFromDepthShiftOrTheDatasetsRule() throws IOException {
        String images = "[" + image(0, POSE) + "]";
        assertEquals(500.0, EmbodiedScanInfo.read(handWritten("\"cam2img\": " + K3 + ", \"depth_shift\": 500", images), w -> {}).depthScale());
        assertEquals(4000.0, EmbodiedScanInfo.read(handWritten("\"cam2img\": " + K3 + ", \"sample_idx\": \"matterport3d/x/region0\"", images),
                w -> {}).depthScale());
        InvalidFileException e = assertThrows(InvalidFileException.class,
                () -> EmbodiedScanInfo.read(handWritten("\"cam2img\": " + K3 + ", \"depth_shift\": -1", images), w -> {}));
        assertTrue(e.getMessage().contains("depth_shift is -1; it must be a positive number"), e.getMessage());
    }

    @Test
    void badPosesAreErrorsNamingTheImageAndAllLostIsAnError() throws IOException {
        String skew = "[[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]";
        Path file = handWritten("\"cam2img\": " + K3, "[" + image(0, POSE) + ", " + image(1, skew) + "]");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(file, w -> {}));
        assertEquals(file + ": images[1].cam2global is not a camera pose: rotation part is not orthonormal (|RᵀR − I| up to 3.00)",
                e.getMessage());
        String nan = POSE.replace("0.5", "NaN");
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(handWritten("\"cam2img\": " + K3, "[" + image(0, nan) + "]"), w -> {}));
        assertTrue(e.getMessage().contains("images[0].cam2global is not a camera pose: has non-finite entries"), e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(info(3, 1), w -> {}));
        assertTrue(e.getMessage().contains("no frame has a valid pose (all 3 hold -inf)"), e.getMessage());
    }

    @Test
    void missingFilesAndFieldsAreNamed() throws IOException {
        Path dir = scene("gone", 3, 0, SyntheticScene.Layout.EMBODIEDSCAN);
        Files.delete(dir.resolve("posed_images/00002.png"));
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Scene.open(dir, w -> {}));
        assertEquals(dir.resolve(SyntheticScene.INFO_FILE) + ": data_list[0].images[2].depth_path names "
                + dir.toAbsolutePath().resolve("posed_images/00002.png") + ", which does not exist", e.getMessage());
        String noPose = "{\"img_path\": \"posed_images/00000.jpg\", \"depth_path\": \"posed_images/00000.png\"}";
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(handWritten("\"cam2img\": " + K3, "[" + noPose + "]"), w -> {}));
        assertTrue(e.getMessage().endsWith(": images[0].cam2global is missing"), e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(handWritten("\"cam2img\": [[1, 2], [3, 4]]", "[" + image(0, POSE) + "]"), w -> {}));
        assertTrue(e.getMessage().endsWith(": cam2img holds 4 numbers, expected a 4x4 or 3x3 matrix"), e.getMessage());
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(tmp.resolve("none.json"), w -> {}));
        assertTrue(e.getMessage().endsWith("none.json: does not exist"), e.getMessage());
    }

    @Test
    void aFileOfManyScenesOrNotJsonIsAClearError() throws IOException {
        Path many = tmp.resolve("many.json");
        Files.writeString(many, "{\"data_list\": [{\"sample_idx\": \"scannet/scene0000_00\", \"images\": []}, {\"sample_idx\": \"scannet/scene0001_00\"}]}");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(many, w -> {}));
        assertEquals(many + ": data_list holds 2 scenes (scannet/scene0000_00, scannet/scene0001_00); give a file with the entry of the one scene to read",
                e.getMessage());
        Files.writeString(many, "{\"images\": [");
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(many, w -> {}));
        assertTrue(e.getMessage().startsWith(many + ": is not valid JSON: "), e.getMessage());
        Files.writeString(many, "[1, 2]");
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(many, w -> {}));
        assertTrue(e.getMessage().contains("holds no JSON object"), e.getMessage());
        Files.writeString(many, "{\"scene\": 1}");
        e = assertThrows(InvalidFileException.class, () -> EmbodiedScanInfo.read(many, w -> {}));
        assertTrue(e.getMessage().contains("has no 'images' list"), e.getMessage());
    }

    @Test
    void aFolderWithSeveralJsonFilesAsksForTheFile() throws IOException {
        Path dir = scene("two", 2, 0, SyntheticScene.Layout.EMBODIEDSCAN);
        Files.writeString(dir.resolve("other.json"), "{}");
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Scene.open(dir, w -> {}));
        assertTrue(e.getMessage().contains("holds 2 .json files (embodiedscan_info.json, other.json)"), e.getMessage());
        assertNull(EmbodiedScanInfo.findIn(scene("sn", 2, 0, SyntheticScene.Layout.SCANNET)));
    }
}
