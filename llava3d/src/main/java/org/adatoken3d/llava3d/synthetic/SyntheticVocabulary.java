package org.adatoken3d.llava3d.synthetic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A made-up vocabulary of any size in llama2.c's {@code tokenizer.bin} format, so synthetic checkpoints are
 * complete model folders: ids 0..2 are {@code <unk>}, BOS and EOS, 3..258 the byte-fallback pieces, then
 * single printable characters and space-led letter strings with descending scores.
 */
public final class SyntheticVocabulary {
    private SyntheticVocabulary() {}

    public static List<String> pieces(int size) {
        if (size < 259 + 95) throw new IllegalArgumentException("a synthetic vocabulary needs at least 354 pieces, got " + size);
        List<String> pieces = new ArrayList<>(size);
        pieces.add("<unk>");
        pieces.add("\n<s>\n");
        pieces.add("\n</s>\n");
        for (int b = 0; b < 256; b++) pieces.add(String.format("<0x%02X>", b));
        for (char c = ' '; c <= '~'; c++) pieces.add(String.valueOf(c));
        for (long i = 0; pieces.size() < size; i++) pieces.add(" " + letters(i));
        return pieces;
    }

    /** a, b, ..., z, aa, ab, ...: bijective base 26. */
    private static String letters(long i) {
        StringBuilder s = new StringBuilder();
        for (long k = i + 1; k > 0; k = (k - 1) / 26) s.append((char) ('a' + (k - 1) % 26));
        return s.reverse().toString();
    }

    public static void write(Path file, int size) {
        List<String> pieces = pieces(size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int maxLength = 0;
        List<byte[]> encoded = new ArrayList<>(size);
        for (String p : pieces) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            encoded.add(b);
            maxLength = Math.max(maxLength, b.length);
        }
        out.writeBytes(le(4).putInt(maxLength).array());
        for (int i = 0; i < size; i++) {
            // Specials, bytes and single characters score 0; longer pieces rank by order, as SentencePiece merges do.
            float score = i < 259 + 95 ? 0f : -(i - 259 - 95);
            out.writeBytes(le(8).putFloat(score).putInt(encoded.get(i).length).array());
            out.writeBytes(encoded.get(i));
        }
        try {
            Files.write(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
