package org.adatoken3d.llava3d.vision;
import org.adatoken3d.llava3d.scene.DepthImage;
import org.adatoken3d.llava3d.scene.RgbImage;

/**
 * Image resizing exactly as Pillow does it, since LLaVA-3D's preprocessing runs through PIL: CLIP's
 * {@code CLIPImageProcessor} resizes colour with {@code Image.resize(..., BICUBIC)}, and the depth frames are
 * resized with {@code Image.NEAREST}.
 *
 * <p><b>Bicubic</b> (Pillow's {@code Resample.c}): a separable convolution, horizontal pass then vertical, with
 * the cubic kernel a = −0.5 stretched by the scale factor when shrinking (so it antialiases), weights normalised
 * per output pixel, then rounded to 22-bit fixed point; each pass rounds and clips to 8 bits.
 *
 * <p><b>Nearest</b> (Pillow's affine scale in {@code Geometry.c}): source column of output x is
 * {@code (int) (s/2 + x·s)} with {@code s = in/out}, the position accumulated by repeated addition, as Pillow
 * accumulates it (the rounding of that sum decides ties such as 4 → 7 pixels).
 */
public final class PilResample {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    private PilResample() {}

    /** Bicubic resize of an RGB image to {@code width × height}. */
    public static RgbImage bicubic(RgbImage in, int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("resize target " + width + "x" + height + " is empty");
        if (width == in.width() && height == in.height()) return in;
        byte[] src = in.rgb();
        int w = in.width(), h = in.height();
        if (width != w) {
            Coefficients k = Coefficients.of(w, width);
            byte[] out = new byte[width * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < width; x++) {
                    int min = k.bounds[2 * x], n = k.bounds[2 * x + 1], kOff = x * k.size;
                    for (int c = 0; c < 3; c++) {
                        int sum = 1 << (PRECISION_BITS - 1);
                        for (int i = 0; i < n; i++) sum += (src[((y * w) + min + i) * 3 + c] & 0xff) * k.fixed[kOff + i];
                        out[(y * width + x) * 3 + c] = clip8(sum);
                    }
                }
            }
            src = out;
            w = width;
        }
        if (height != h) {
            Coefficients k = Coefficients.of(h, height);
            byte[] out = new byte[w * height * 3];
            for (int y = 0; y < height; y++) {
                int min = k.bounds[2 * y], n = k.bounds[2 * y + 1], kOff = y * k.size;
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int sum = 1 << (PRECISION_BITS - 1);
                        for (int i = 0; i < n; i++) sum += (src[((min + i) * w + x) * 3 + c] & 0xff) * k.fixed[kOff + i];
                        out[(y * w + x) * 3 + c] = clip8(sum);
                    }
                }
            }
            src = out;
        }
        return new RgbImage(width, height, src);
    }

    /** Nearest-neighbour resize of a depth image to {@code width × height}. */
    public static DepthImage nearest(DepthImage in, int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("resize target " + width + "x" + height + " is empty");
        if (width == in.width() && height == in.height()) return in;
        int[] columns = nearestIndex(in.width(), width);
        int[] rows = nearestIndex(in.height(), height);
        char[] src = in.units();
        char[] out = new char[width * height];
        for (int y = 0; y < height; y++) {
            int row = rows[y] * in.width();
            for (int x = 0; x < width; x++) out[y * width + x] = src[row + columns[x]];
        }
        return new DepthImage(width, height, out);
    }

    /** Source index per output index: Pillow's accumulated affine position, truncated. */
    static int[] nearestIndex(int in, int out) {
        double step = (double) (float) in / out;
        double position = step * 0.5;
        int[] index = new int[out];
        for (int i = 0; i < out; i++) {
            // Shrinking or growing by any factor keeps the position inside [0, in): the last one is in·(1 − 1/2out).
            index[i] = Math.min((int) position, in - 1);
            position += step;
        }
        return index;
    }

    private static byte clip8(int v) {
        if (v >= (1 << PRECISION_BITS << 8)) return (byte) 255;
        if (v <= 0) return 0;
        return (byte) (v >> PRECISION_BITS);
    }

    private static double bicubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /** Per output pixel: first source pixel and count, and the fixed-point weights, {@code size} slots each. */
    private record Coefficients(int size, int[] bounds, int[] fixed) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = BICUBIC_SUPPORT * filterScale;
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] fixed = new int[outSize * size];
            double[] k = new double[size];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize) - min;
                double ww = 0;
                for (int x = 0; x < max; x++) {
                    k[x] = bicubic((x + min - center + 0.5) * ss);
                    ww += k[x];
                }
                for (int x = 0; x < max; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    fixed[xx * size + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
                }
                bounds[2 * xx] = min;
                bounds[2 * xx + 1] = max;
            }
            return new Coefficients(size, bounds, fixed);
        }
    }
}
