package org.adatoken3d.llava3d;

import org.adatoken3d.llava3d.scene.ViewSampler;
import org.adatoken3d.kernels.EngineArgumentException;

/**
 * How {@link Llava3d#encode} turns a scene into spatial tokens.
 *
 * @param views views sampled uniformly from the scene's valid frames (LLaVA-3D uses 20)
 * @param seed seed of the random token subset when the scene fills more voxels than the token cap
 * @param depthScale depth units per metre of the depth images, or null for the scene's own (1000 for ScanNet)
 */
public record SceneOptions(int views, long seed, Double depthScale) {
    public SceneOptions {
        if (views < 1) throw new EngineArgumentException("views", "must be >= 1, got " + views);
        if (depthScale != null && !(depthScale > 0 && Double.isFinite(depthScale))) {
            throw new EngineArgumentException("depthScale", "must be a positive number of depth units per metre, got " + depthScale);
        }
    }

    /** As LLaVA-3D: 20 views, seed 0, the scene's own depth scale. */
    public static SceneOptions defaults() {
        return new SceneOptions(ViewSampler.DEFAULT_VIEWS, 0, null);
    }
}
