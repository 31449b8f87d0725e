package org.adatoken3d.llava3d.scene;
import org.adatoken3d.llava3d.vision.ClipImageProcessor;

import java.util.List;
import org.adatoken3d.llava3d.spatial.PositionEmbedding3d;
import org.adatoken3d.llava3d.spatial.Projector;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.llava3d.vision.ClipVisionTower;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.LlavaConfig;

/**
 * LLaVA-3D's front end, from posed RGB-D views to the spatial tokens the decoder reads (DESIGN.md §3): per view,
 * CLIP preprocessing and the vision tower give one feature per patch, and the depth frame (cropped like the image,
 * intrinsics adjusted) gives each patch its world position through {@code axis_align · pose}; every patch feature
 * gets its 3D position embedding added; the patches are averaged into 0.2 m voxels in voxel-key order, capped at
 * 2560 tokens by a seeded random subset, and projected to the LLM width.
 */
public final class SceneEncoder {
    private final ClipVisionTower tower;
    private final PositionEmbedding3d positions;
    private final Projector projector;

    /**
     * What each stage took, in nanoseconds: reading and preprocessing the images and depth frames; the vision tower;
     * unprojecting each view's patches to world positions; the 3D position embedding and voxel pooling; the projector.
     */
    public record Timings(long readNanos, long visionNanos, long unprojectionNanos, long poolingNanos, long projectorNanos) {}

    /**
     * @param spatial the projected tokens with their world positions (voxel means)
     * @param patches patches before pooling ({@code views · grid²})
     * @param voxels occupied voxels before the cap
     */
    public record Encoded(SpatialTokens spatial, int views, int patches, int voxels, Timings timings) {}

    /** Hears how far encoding got: a line per stage and each view as it is done. */
    public interface Listener {
        void stage(String line);

        void view(int done, int total);

        Listener SILENT = new Listener() {
            @Override
            public void stage(String line) {}

            @Override
            public void view(int done, int total) {}
        };
    }

    public SceneEncoder(ClipVisionTower tower, PositionEmbedding3d positions, Projector projector) {
        this.tower = tower;
        this.positions = positions;
        this.projector = projector;
    }

    /** The front end of a LLaVA-3D model folder, with its tower from the checkpoint or from {@code tower}. */
    public static SceneEncoder of(Checkpoint checkpoint, LlavaConfig llava, ClipVisionTower tower) {
        return of(checkpoint, tower, Projector.load(checkpoint, llava));
    }

    /** As {@link #of(Checkpoint, LlavaConfig, ClipVisionTower)}, with the model's projector already loaded. */
    public static SceneEncoder of(Checkpoint checkpoint, ClipVisionTower tower, Projector projector) {
        PositionEmbedding3d positions = PositionEmbedding3d.load(checkpoint, PositionEmbedding3d.SCENE_PREFIX);
        int width = tower.config().hidden();
        if (positions.width() != width || projector.inputWidth() != width) {
            throw new InvalidFileException(checkpoint.directory(), "the CLIP tower (" + tower.source() + ") is " + width
                    + " wide, but the 3D position embedding is " + positions.width() + " and the projector takes "
                    + projector.inputWidth() + "; they must match");
        }
        return new SceneEncoder(tower, positions, projector);
    }

    public Encoded encode(Scene scene, List<SceneFrame> views, long capSeed, Listener listener) {
        ClipVisionConfig c = tower.config();
        int size = c.imageSize(), grid = c.grid(), perView = c.patches(), width = c.hidden();
        int patches = Math.multiplyExact(views.size(), perView);
        float[] features = new float[Math.multiplyExact(patches, width)];
        float[] xyz = new float[patches * 3];
        long read = 0, vision = 0, unprojection = 0;
        for (int v = 0; v < views.size(); v++) {
            SceneFrame f = views.get(v);
            long t0 = System.nanoTime();
            float[] pixels = ClipImageProcessor.preprocess(ImageFiles.readRgb(f.color()), size);
            DepthImage depthImage = ImageFiles.readDepth(f.depth());
            ProcessedDepth.checkIntrinsicsFit(f.depth(), depthImage, scene.depthIntrinsics());
            ProcessedDepth depth = ProcessedDepth.of(f.depth(), depthImage, scene.depthIntrinsics(), size, scene.depthScale());
            long t1 = System.nanoTime();
            float[] viewXyz = Unprojection.patchXyz(depth, scene.axisAlignment().times(f.pose()), grid);
            long t2 = System.nanoTime();
            float[] viewFeatures = tower.encode(pixels);
            long t3 = System.nanoTime();
            System.arraycopy(viewFeatures, 0, features, v * perView * width, perView * width);
            System.arraycopy(viewXyz, 0, xyz, v * perView * 3, perView * 3);
            read += t1 - t0;
            unprojection += t2 - t1;
            vision += t3 - t2;
            listener.view(v + 1, views.size());
        }
        long t4 = System.nanoTime();
        float[] embedded = positions.embed(xyz, patches);
        for (int i = 0; i < features.length; i++) features[i] += embedded[i];
        VoxelPooling.Voxels voxels = VoxelPooling.pool(xyz, features, patches, width, VoxelPooling.VOXEL_SIZE);
        int[] kept = VoxelPooling.capOrder(voxels.count(), VoxelPooling.MAX_TOKENS, capSeed);
        float[] tokens = VoxelPooling.gatherRows(voxels.features(), width, kept);
        float[] tokenXyz = VoxelPooling.gatherRows(voxels.xyz(), 3, kept);
        long t5 = System.nanoTime();
        listener.stage(String.format("3D: %d patches from %d views -> %d voxels of %.1f m%s", patches, views.size(), voxels.count(),
                VoxelPooling.VOXEL_SIZE, kept.length < voxels.count() ? " -> " + kept.length + " tokens (seeded random subset, seed " + capSeed + ")" : ""));
        float[] embeds = projector.project(tokens, kept.length);
        long t6 = System.nanoTime();
        return new Encoded(new SpatialTokens(kept.length, embeds, tokenXyz), views.size(), patches, voxels.count(),
                new Timings(read, vision, unprojection, t5 - t4, t6 - t5));
    }
}
