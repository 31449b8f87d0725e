package org.adatoken3d.llava3d.scene;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Reads the colour and depth frames of a scene with {@code javax.imageio}: colour as 8-bit RGB (what PIL's
 * {@code convert('RGB')} gives: grey replicated, alpha dropped), depth as 16-bit single-channel PNG.
 */
public final class ImageFiles {
    /** Larger than any RGB-D sensor frame; bounds the memory a lying header can ask for. */
    static final int MAX_SIDE = 8192;
    static final long MAX_PIXELS = 40L << 20;
    static final long MAX_FILE_BYTES = 256L << 20;

    private ImageFiles() {}

    public static RgbImage readRgb(Path file) {
        return decodeRgb(file, readBytes(file));
    }

    public static DepthImage readDepth(Path file) {
        return decodeDepth(file, readBytes(file));
    }

    /** Decodes a colour image; {@code file} only names the source in errors. */
    public static RgbImage decodeRgb(Path file, byte[] data) {
        BufferedImage image = decode(file, data);
        int w = image.getWidth(), h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(w * h, 3)];
        if (image.getColorModel() instanceof IndexColorModel) {
            // A palette image: its entries are sRGB, so getRGB maps indices to colours without any conversion.
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                rgb[i * 3] = (byte) (argb[i] >> 16);
                rgb[i * 3 + 1] = (byte) (argb[i] >> 8);
                rgb[i * 3 + 2] = (byte) argb[i];
            }
            return new RgbImage(w, h, rgb);
        }
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        for (int b = 0; b < bands; b++) {
            int bits = raster.getSampleModel().getSampleSize(b);
            if (bits != 8) throw new InvalidFileException(file, "has " + bits + "-bit samples; colour frames must be 8-bit");
        }
        if (bands > 4) throw new InvalidFileException(file, "has " + bands + " channels; colour frames are grey or RGB");
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    // Raw samples, as PIL's convert('RGB') takes them: grey (+ alpha) is replicated, RGB(A) loses alpha.
                    rgb[(y * w + x) * 3 + c] = (byte) row[x * bands + (bands < 3 ? 0 : c)];
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** Decodes a 16-bit single-channel depth image; {@code file} only names the source in errors. */
    public static DepthImage decodeDepth(Path file, byte[] data) {
        Raster raster = decode(file, data).getRaster();
        int bits = raster.getSampleModel().getSampleSize(0);
        if (raster.getNumBands() != 1 || bits != 16) {
            throw new InvalidFileException(file, "is a " + raster.getNumBands() + "-channel " + bits
                    + "-bit image; depth frames must be 16-bit single-channel PNG (millimetres)");
        }
        int w = raster.getWidth(), h = raster.getHeight();
        int[] samples = raster.getSamples(0, 0, w, h, 0, new int[w * h]);
        char[] units = new char[samples.length];
        for (int i = 0; i < samples.length; i++) units[i] = (char) samples[i];
        return new DepthImage(w, h, units);
    }

    private static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) throw new InvalidFileException(file, "is " + size + " bytes, too large for a frame");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidFileException(file, "does not exist");
        } catch (IOException e) {
            throw new InvalidFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(Path file, byte[] data) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new InvalidFileException(file, "is not an image javax.imageio can read (expected JPEG or PNG)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                    throw new InvalidFileException(file, "declares a " + w + "x" + h + " image; frames are at most " + MAX_SIDE + " pixels a side");
                }
                // A truncated or corrupt JPEG is not an error to ImageIO: it warns and fills the missing rows with grey.
                java.util.List<String> warnings = new java.util.ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (image == null) throw new InvalidFileException(file, "holds no image");
                if (!warnings.isEmpty()) throw new InvalidFileException(file, "is damaged (" + warnings.get(0) + "); re-export the frame");
                return image;
            } finally {
                reader.dispose();
            }
        } catch (InvalidFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO's decoders report corrupt data with IIOException but also with assorted runtime exceptions.
            throw new InvalidFileException(file, "cannot be decoded as an image: " + e, e);
        }
    }
}
