package org.adatoken3d.llava3d.scene;

/** An 8-bit RGB image, row-major, channels interleaved: {@code rgb[(y * width + x) * 3 + c]}. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("image size " + width + "x" + height + " is empty");
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
