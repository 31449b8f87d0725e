package org.adatoken3d.llava3d;

import org.adatoken3d.llava3d.scene.SceneEncoder;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/**
 * A scene as spatial tokens, and what the front end did to get them.
 *
 * @param tokens the projected tokens with their positions
 * @param views views read (0 for precomputed tokens)
 * @param patches patches before pooling
 * @param voxels occupied voxels before the token cap
 * @param timings each front-end stage's time (all zero for precomputed tokens)
 */
public record EncodedScene(SpatialTokens tokens, int views, int patches, int voxels, SceneEncoder.Timings timings) {
    static EncodedScene of(SceneEncoder.Encoded e) {
        return new EncodedScene(e.spatial(), e.views(), e.patches(), e.voxels(), e.timings());
    }

    static EncodedScene precomputed(SpatialTokens tokens) {
        return new EncodedScene(tokens, 0, 0, tokens.count(), new SceneEncoder.Timings(0, 0, 0, 0, 0));
    }

    /** True when the tokens were read from a file rather than encoded from views. */
    public boolean isPrecomputed() {
        return views == 0;
    }
}
