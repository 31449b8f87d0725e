package org.adatoken3d.llava3d.scene;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.llava3d.vision.ClipVisionTower;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SceneEncoderTest {
    /** A 56-pixel tower: a 4 x 4 patch grid per view keeps the test fast. */
    static final ClipVisionConfig SMALL_TOWER = new ClipVisionConfig(64, 128, 2, 1, 56, 14, 1e-5, GeluForm.QUICK);

    @TempDir Path tmp;

    @Test
    void sceneBecomesOneTokenPerOccupiedVoxelOnTheRoomsSurfaces() throws Exception {
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 1, DType.F32, 2).withVision(SMALL_TOWER).write(model, b -> {});
        SyntheticScene.write(tmp.resolve("scene"), new SyntheticScene.Options(12, 96, 72, 4, 9, 0));
        Scene scene = ScanNetScene.open(tmp.resolve("scene"), w -> {});
        List<SceneFrame> views = scene.sample(6);
        try (Checkpoint ckpt = Checkpoint.open(model); ClipVisionTower tower = ClipVisionTower.locate(ckpt, null, null)) {
            ModelConfig config = ModelConfig.load(model.resolve("config.json"));
            SceneEncoder encoder = SceneEncoder.of(ckpt, config.llava(), tower);
            SceneEncoder.Encoded e = encoder.encode(scene, views, 0, SceneEncoder.Listener.SILENT);
            SpatialTokens s = e.spatial();
            assertEquals(6 * 16, e.patches());

            // Independently: the distinct 0.2 m cells of the views' unprojected patches.
            Set<List<Long>> cells = new HashSet<>();
            for (SceneFrame f : views) {
                ProcessedDepth d = ProcessedDepth.of(f.depth(), ImageFiles.readDepth(f.depth()), scene.depthIntrinsics(), 56, 1000);
                float[] xyz = Unprojection.patchXyz(d, scene.axisAlignment().times(f.pose()), 4);
                for (int p = 0; p < 16; p++) {
                    cells.add(List.of(Math.round(Math.rint(xyz[p * 3] / 0.2f)), Math.round(Math.rint(xyz[p * 3 + 1] / 0.2f)),
                            Math.round(Math.rint(xyz[p * 3 + 2] / 0.2f))));
                }
            }
            assertEquals(cells.size(), s.count());
            assertEquals(s.count(), e.voxels());
            assertEquals(s.count() * config.decoder().hiddenSize(), s.embeds().length);
            for (int t = 0; t < s.count(); t++) {
                assertTrue(s.xyz()[t * 3] > -0.02 && s.xyz()[t * 3] < SyntheticScene.ROOM_X + 0.02, "token x inside the room");
                assertTrue(s.xyz()[t * 3 + 2] > -0.02 && s.xyz()[t * 3 + 2] < SyntheticScene.ROOM_Z + 0.02, "token z inside the room");
            }
            for (float v : s.embeds()) assertTrue(Float.isFinite(v));
            SpatialTokens again = encoder.encode(scene, views, 0, SceneEncoder.Listener.SILENT).spatial();
            assertArrayEquals(s.embeds(), again.embeds(), "encoding is deterministic");
        }
    }

    @Test
    void scanNetAndEmbodiedScanLayoutsOfOneSceneGiveIdenticalSpatialTokens() throws Exception {
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 1, DType.F32, 2).withVision(SMALL_TOWER).write(model, b -> {});
        SyntheticScene.Options options = new SyntheticScene.Options(14, 96, 72, 4, 11, 6);
        SyntheticScene.write(tmp.resolve("scannet"), options, SyntheticScene.Layout.SCANNET);
        SyntheticScene.write(tmp.resolve("embodiedscan"), options, SyntheticScene.Layout.EMBODIEDSCAN);
        Scene scanNet = Scene.open(tmp.resolve("scannet"), w -> {});
        Scene info = Scene.open(tmp.resolve("embodiedscan"), w -> {});
        assertEquals(ScanNetScene.LAYOUT, scanNet.layout());
        assertEquals(EmbodiedScanInfo.LAYOUT, info.layout());
        try (Checkpoint ckpt = Checkpoint.open(model); ClipVisionTower tower = ClipVisionTower.locate(ckpt, null, null)) {
            SceneEncoder encoder = SceneEncoder.of(ckpt, ModelConfig.load(model.resolve("config.json")).llava(), tower);
            SpatialTokens a = encoder.encode(scanNet, scanNet.sample(5), 0, SceneEncoder.Listener.SILENT).spatial();
            SpatialTokens b = encoder.encode(info, info.sample(5), 0, SceneEncoder.Listener.SILENT).spatial();
            assertTrue(a.count() > 10, "the views see the room: " + a.count() + " tokens");
            assertEquals(a.count(), b.count());
            assertArrayEquals(a.xyz(), b.xyz());
            assertArrayEquals(a.embeds(), b.embeds());
        }
    }
}
