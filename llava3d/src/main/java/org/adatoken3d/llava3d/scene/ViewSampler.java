package org.adatoken3d.llava3d.scene;

import org.adatoken3d.kernels.EngineArgumentException;
/**
 * Picks the views LLaVA-3D encodes from a scene's valid frames: with {@code n} frames and {@code views} wanted,
 * every {@code n / views}-th frame from the first ({@code RGBDVideoProcessor.subsample_frames}). With fewer frames
 * than views each frame is taken once: LLaVA-3D's step would be 0 there and repeat the first frame.
 */
public final class ViewSampler {
    /** LLaVA-3D's {@code num_frames}. */
    public static final int DEFAULT_VIEWS = 20;

    private ViewSampler() {}

    /** Indices into {@code 0 .. available-1}, ascending. */
    public static int[] uniform(int available, int views) {
        if (available < 1) throw new IllegalArgumentException("no frames to sample from");
        if (views < 1) throw new EngineArgumentException("views", "must be >= 1, got " + views);
        if (available <= views) {
            int[] all = new int[available];
            for (int i = 0; i < available; i++) all[i] = i;
            return all;
        }
        int step = available / views;
        int[] ids = new int[views];
        for (int i = 0; i < views; i++) ids[i] = i * step;
        return ids;
    }
}
