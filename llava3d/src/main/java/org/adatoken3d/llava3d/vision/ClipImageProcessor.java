package org.adatoken3d.llava3d.vision;
import org.adatoken3d.llava3d.scene.RgbImage;

/**
 * CLIP's image preprocessing as Hugging Face's {@code CLIPImageProcessor} does it for
 * {@code openai/clip-vit-large-patch14-336}: resize (Pillow bicubic) so the shorter side is {@code size}, the longer
 * {@code int(size · long / short)}; centre crop {@code size × size} at {@code ((h − size) // 2, (w − size) // 2)};
 * rescale by 1/255 (in double, stored as f32); normalise with CLIP's mean and std in f32.
 */
public final class ClipImageProcessor {
    /** OpenAI CLIP's per-channel mean and standard deviation (RGB). */
    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final double RESCALE = 1.0 / 255;

    private ClipImageProcessor() {}

    /** Width and height after the shortest-edge resize. */
    static int[] resizedSize(int width, int height, int size) {
        int shortSide = Math.min(width, height), longSide = Math.max(width, height);
        int newLong = (int) ((double) ((long) size * longSide) / shortSide);
        return width <= height ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    /** Pixel values {@code [3][size][size]} (channel-major, as {@code pixel_values}). */
    public static float[] preprocess(RgbImage image, int size) {
        int[] wh = resizedSize(image.width(), image.height(), size);
        RgbImage resized = PilResample.bicubic(image, wh[0], wh[1]);
        int top = (wh[1] - size) / 2, left = (wh[0] - size) / 2;
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float v = (float) (resized.get(left + x, top + y, c) * RESCALE);
                    out[(c * size + y) * size + x] = (v - MEAN[c]) / STD[c];
                }
            }
        }
        return out;
    }
}
