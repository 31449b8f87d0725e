package org.adatoken3d.llava3d.vision;

import org.adatoken3d.llava3d.scene.RgbImage;

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

/** CLIP image preprocessing as Hugging Face's CLIPImageProcessor and Pillow compute it. */
class ImagePreprocessingTest {

    @Test
    void nearestMatchesPillowsAccumulatedPositions() {
        // Pillow 9.4, Image.fromarray(uint16 3x4).resize((7, 5), Image.NEAREST): columns 0 0 1 1 2 3 3 (the fourth
        // position sums to 1.9999999999999998, not 2), rows 0 0 1 2 2.
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 3, 3}, PilResample.nearestIndex(4, 7));
        assertArrayEquals(new int[] {0, 0, 1, 2, 2}, PilResample.nearestIndex(3, 5));
    }

    @Test
    void clipResizeKeepsAspectAsHuggingFaceComputesIt() {
        assertArrayEquals(new int[] {448, 336}, ClipImageProcessor.resizedSize(640, 480, 336));
        assertArrayEquals(new int[] {449, 336}, ClipImageProcessor.resizedSize(1296, 968, 336));
        assertArrayEquals(new int[] {336, 449}, ClipImageProcessor.resizedSize(968, 1296, 336));
        assertArrayEquals(new int[] {336, 336}, ClipImageProcessor.resizedSize(500, 500, 336));
    }

    @Test
    void bicubicIsWithinRoundingOfTheExactConvolutionForAnySize() {
        // Exact equality with Pillow is checked by the conformance suite; here the fixed-point passes must agree with
        // the same convolution in double up to the rounding of the intermediate image (0.5, spread by the vertical
        // weights' absolute sum) and of the result (0.5).
        SeededCases.run("bicubicIsWithinRoundingOfTheExactConvolution", 60, rnd -> {
            int w = SeededCases.between(rnd, 1, 40), h = SeededCases.between(rnd, 1, 40);
            int ow = SeededCases.between(rnd, 1, 50), oh = SeededCases.between(rnd, 1, 50);
            RgbImage in = randomImage(rnd, w, h);
            RgbImage out = PilResample.bicubic(in, ow, oh);
            double[] exact = separable(in, ow, oh);
            for (int i = 0; i < out.rgb().length; i++) {
                int y = i / 3 / ow;
                double bound = (oh == h || ow == w ? 0 : 0.5 * absoluteWeights(h, oh, y)) + 0.5 + 1e-3;
                double clipped = Math.max(0, Math.min(255, exact[i]));
                assertTrue(Math.abs((out.rgb()[i] & 0xff) - clipped) <= bound, "value " + i + ": " + (out.rgb()[i] & 0xff) + " vs " + clipped);
            }
        });
    }

    /** Two-pass bicubic (a = −0.5, support scaled when shrinking) in double, clipping and rounding half up between passes as Pillow does. */
    private static double[] separable(RgbImage in, int ow, int oh) {
        int w = in.width(), h = in.height();
        double[] src = new double[w * h * 3];
        for (int i = 0; i < src.length; i++) src[i] = in.rgb()[i] & 0xff;
        double[] mid = ow == w ? src : new double[ow * h * 3];
        if (ow != w) {
            for (int y = 0; y < h; y++) for (int x = 0; x < ow; x++) for (int c = 0; c < 3; c++) {
                int fy = y, fc = c;
                mid[(y * ow + x) * 3 + c] = Math.floor(Math.max(0, Math.min(255, convolve(w, ow, x, i -> src[(fy * w + i) * 3 + fc]))) + 0.5);
            }
        }
        double[] out = oh == h ? mid : new double[ow * oh * 3];
        if (oh != h) {
            for (int y = 0; y < oh; y++) for (int x = 0; x < ow; x++) for (int c = 0; c < 3; c++) {
                int fx = x, fc = c;
                out[(y * ow + x) * 3 + c] = convolve(h, oh, y, i -> mid[(i * ow + fx) * 3 + fc]);
            }
        }
        return out;
    }

    private static double convolve(int in, int out, int o, java.util.function.IntToDoubleFunction sample) {
        double sum = 0, weights = 0;
        for (int i = 0; i < in; i++) {
            double k = kernel(in, out, o, i);
            sum += k * sample.applyAsDouble(i);
            weights += k;
        }
        return sum / weights;
    }

    /** Sum of |normalised weight| of output row o. */
    private static double absoluteWeights(int in, int out, int o) {
        double abs = 0, weights = 0;
        for (int i = 0; i < in; i++) {
            abs += Math.abs(kernel(in, out, o, i));
            weights += kernel(in, out, o, i);
        }
        return abs / Math.abs(weights);
    }

    /** Keys' cubic (a = −0.5) at source pixel i for output o, widened by the shrink factor. */
    private static double kernel(int in, int out, int o, int i) {
        double scale = (double) in / out, fs = Math.max(1, scale);
        double t = Math.abs(i + 0.5 - (o + 0.5) * scale) / fs;
        return t < 1 ? (1.5 * t - 2.5) * t * t + 1 : t < 2 ? (((t - 5) * t + 8) * t - 4) * -0.5 : 0;
    }

    private static RgbImage randomImage(SplittableRandom rnd, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) rnd.nextInt(256);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void clipPixelsAreNormalisedCentreCrop() {
        // A frame whose left and right quarters are black and middle white: after the crop only the middle remains.
        int w = 16, h = 8;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) for (int x = 4; x < 12; x++) for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte) 255;
        float[] px = ClipImageProcessor.preprocess(new RgbImage(w, h, rgb), 4);
        assertEquals(3 * 16, px.length);
        for (int c = 0; c < 3; c++) {
            assertEquals((1 - ClipImageProcessor.MEAN[c]) / ClipImageProcessor.STD[c], px[c * 16 + 5], 1e-6);
        }
    }

}
