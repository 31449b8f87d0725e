package org.adatoken3d.llava3d.scene;
import org.adatoken3d.llava3d.vision.PilResample;

import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;

/**
 * LLaVA-3D's depth preprocessing ({@code RGBDVideoProcessor.preprocess_depth_image} and
 * {@code preprocess_instrinsic}): resize with Pillow NEAREST so the shorter side is {@code size} (the longer
 * {@code int(long · (size / short))}), centre crop {@code size × size} with the box edges rounded half to even (as
 * Pillow's {@code crop} rounds them), depth in metres = units / depth scale; the intrinsics are scaled by the resize
 * and shifted by the crop, {@code c −= (resized − size) / 2} per axis.
 *
 * <p>For landscape frames (all of ScanNet) that shift is LLaVA-3D's {@code cx −= (w' − h') / 2}; LLaVA-3D applies
 * the same formula to portrait frames, which is wrong for them, so here portrait frames are shifted in y instead.
 *
 * @param metres {@code [size][size]} depth in metres, 0 where unknown
 */
public record ProcessedDepth(int size, float[] metres, CameraIntrinsics intrinsics) {
    /** ScanNet stores millimetres. */
    public static final double SCANNET_DEPTH_SCALE = 1000;

    /**
     * Throws unless intrinsics {@code k} can belong to {@code depth}'s size: the principal point of a real camera lies
     * near the image centre (within a few percent), so one farther than an eighth of a side means the intrinsics are
     * for another resolution (a depth frame exported at colour size, say) and every unprojected point would be
     * misplaced, spreading the scene over many more voxels than it fills.
     */
    public static void checkIntrinsicsFit(Path file, DepthImage depth, CameraIntrinsics k) {
        int w = depth.width(), h = depth.height();
        if (Math.abs(k.cx() - w / 2.0) > w / 8.0 || Math.abs(k.cy() - h / 2.0) > h / 8.0) {
            throw new InvalidFileException(file, String.format("is a %dx%d depth image, but the depth intrinsics put the principal point at"
                    + " (%.1f, %.1f), far from its centre (%.1f, %.1f): the intrinsics are for an image of another size", w, h, k.cx(), k.cy(),
                    w / 2.0, h / 2.0));
        }
    }

    public static ProcessedDepth of(Path file, DepthImage depth, CameraIntrinsics k, int size, double depthScale) {
        if (size < 2 || size % 2 != 0) throw new IllegalArgumentException("depth crop size must be even, got " + size);
        if (!depth.hasDepth()) throw new InvalidFileException(file, "has no depth: every pixel is 0");
        int w = depth.width(), h = depth.height();
        int newW, newH;
        if (w < h) {
            double scale = (double) size / w;
            newW = size;
            newH = (int) (h * scale);
        } else {
            double scale = (double) size / h;
            newH = size;
            newW = (int) (w * scale);
        }
        DepthImage resized = PilResample.nearest(depth, newW, newH);
        int left = (int) Math.rint((newW - size) / 2.0), top = (int) Math.rint((newH - size) / 2.0);
        float[] metres = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) metres[y * size + x] = (float) (resized.get(left + x, top + y) / depthScale);
        }
        double sx = (double) w / newW, sy = (double) h / newH;
        CameraIntrinsics adjusted = new CameraIntrinsics(k.fx() / sx, k.fy() / sy,
                k.cx() / sx - (newW - size) / 2.0, k.cy() / sy - (newH - size) / 2.0);
        return new ProcessedDepth(size, metres, adjusted);
    }
}
