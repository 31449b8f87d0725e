package org.adatoken3d.llava3d.scene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;

/** Colour frames cut short in transfer: ImageIO only warns about a truncated JPEG, and the reader must refuse it. */
class ImageFilesTest {
    private static byte[] encoded(String format) throws Exception {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom r = new SplittableRandom(5);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) image.setRGB(x, y, r.nextInt(1 << 24));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), format);
        return out.toByteArray();
    }

    @Test
    void aWholeJpegIsRead() throws Exception {
        RgbImage image = ImageFiles.decodeRgb(Path.of("frame.jpg"), encoded("jpg"));
        assertEquals(64, image.width());
        assertEquals(48, image.height());
    }

    @Test
    void truncatedJpegAndPngAreRefused() throws Exception {
        for (String format : new String[] {"jpg", "png"}) {
            byte[] whole = encoded(format);
            byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> ImageFiles.decodeRgb(Path.of("frame." + format), cut), format);
            assertTrue(e.getMessage().startsWith("frame." + format + ": "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }
}
