package org.adatoken3d.llava3d.scene;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Depth frames cropped and scaled as LLaVA-3D does, and unprojected onto the room's surfaces. */
class DepthPreprocessingTest {
    @TempDir Path tmp;

    @Test
    void depthCropScalesIntrinsicsAndMetres() {
        char[] units = new char[640 * 480];
        java.util.Arrays.fill(units, (char) 1500);
        ProcessedDepth d = ProcessedDepth.of(Path.of("d.png"), new DepthImage(640, 480, units), new CameraIntrinsics(577.87, 577.87, 319.5, 239.5), 336, 1000);
        assertEquals(1.5f, d.metres()[0]);
        // 640x480 -> 448x336 (scale 0.7), then 56 columns cropped off the left.
        assertEquals(577.87 * 0.7, d.intrinsics().fx(), 1e-9);
        assertEquals(319.5 * 0.7 - 56, d.intrinsics().cx(), 1e-9);
        assertEquals(239.5 * 0.7, d.intrinsics().cy(), 1e-9);
        InvalidFileException e = assertThrows(InvalidFileException.class,
                () -> ProcessedDepth.of(Path.of("d.png"), new DepthImage(4, 4, new char[16]), d.intrinsics(), 2, 1000));
        assertEquals("d.png: has no depth: every pixel is 0", e.getMessage());
    }

    @Test
    void aDepthImageOfAnotherSizeThanItsIntrinsicsIsRefused() {
        SyntheticScene.Written w = SyntheticScene.write(tmp.resolve("s"), new SyntheticScene.Options(6, 96, 72, 4, 3, 0));
        Scene scene = ScanNetScene.open(w.directory(), x -> {});
        for (SceneFrame f : scene.frames()) {
            DepthImage depth = ImageFiles.readDepth(f.depth());
            ProcessedDepth.checkIntrinsicsFit(f.depth(), depth, scene.depthIntrinsics());
        }
        // The same camera's intrinsics on frames exported at twice (and one and a half times) the size.
        for (int[] size : new int[][] {{192, 144}, {144, 108}}) {
            DepthImage larger = new DepthImage(size[0], size[1], new char[size[0] * size[1]]);
            InvalidFileException e = assertThrows(InvalidFileException.class,
                    () -> ProcessedDepth.checkIntrinsicsFit(Path.of("d.png"), larger, scene.depthIntrinsics()));
            assertTrue(e.getMessage().startsWith("d.png: is a " + size[0] + "x" + size[1] + " depth image") && e.getMessage().contains("another size"),
                    e.getMessage());
        }
    }

    @Test
    void unprojectedPatchesLieOnTheSyntheticRoomsSurfaces() {
        // 96x72 frames with a 42-pixel crop: resized to 56x42, cropped 7 px each side, so the crop is exact.
        SyntheticScene.Written w = SyntheticScene.write(tmp.resolve("s"), new SyntheticScene.Options(6, 96, 72, 4, 3, 0));
        Scene scene = ScanNetScene.open(w.directory(), x -> {});
        int grid = 6;
        for (SceneFrame f : scene.frames()) {
            ProcessedDepth d = ProcessedDepth.of(f.depth(), ImageFiles.readDepth(f.depth()), scene.depthIntrinsics(), 42, 1000);
            float[] xyz = Unprojection.patchXyz(d, scene.axisAlignment().times(f.pose()), grid);
            for (int p = 0; p < grid * grid; p++) {
                double x = xyz[p * 3], y = xyz[p * 3 + 1], z = xyz[p * 3 + 2];
                assertTrue(onSurface(w, x, y, z, 0.01), String.format("frame %s patch %d at (%.3f, %.3f, %.3f) is on no surface", f.name(), p, x, y, z));
            }
        }
    }

    private static boolean onSurface(SyntheticScene.Written w, double x, double y, double z, double slack) {
        double[] p = {x, y, z}, room = {SyntheticScene.ROOM_X, SyntheticScene.ROOM_Y, SyntheticScene.ROOM_Z};
        boolean inside = true, onWall = false;
        for (int a = 0; a < 3; a++) {
            inside &= p[a] > -slack && p[a] < room[a] + slack;
            onWall |= Math.abs(p[a]) < slack || Math.abs(p[a] - room[a]) < slack;
        }
        if (!inside) return false;
        if (onWall) return true;
        for (SyntheticScene.Box b : w.boxes()) {
            if (!b.contains(x, y, z, slack)) continue;
            for (int a = 0; a < 3; a++) if (Math.abs(p[a] - b.min()[a]) < slack || Math.abs(p[a] - b.max()[a]) < slack) return true;
        }
        return false;
    }
}
