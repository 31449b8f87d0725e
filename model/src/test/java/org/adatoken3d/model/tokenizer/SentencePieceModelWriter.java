package org.adatoken3d.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes small SentencePiece {@code ModelProto}s for tests: the wire format by hand, as the parser reads it. */
final class SentencePieceModelWriter {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    SentencePieceModelWriter piece(String text, float score, int type) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        lengthDelimited(p, 1, text.getBytes(StandardCharsets.UTF_8));
        tag(p, 2, 5);
        int bits = Float.floatToIntBits(score);
        for (int k = 0; k < 4; k++) p.write(bits >>> (8 * k));
        tag(p, 3, 0);
        varint(p, type);
        lengthDelimited(out, 1, p.toByteArray());
        return this;
    }

    /** The 256 byte pieces {@code <0x00>..<0xFF>}. */
    SentencePieceModelWriter bytePieces() {
        for (int b = 0; b < 256; b++) piece(String.format("<0x%02X>", b), 0, BYTE);
        return this;
    }

    SentencePieceModelWriter trainer(int modelType, boolean byteFallback) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        tag(t, 3, 0);
        varint(t, modelType);
        tag(t, 35, 0);
        varint(t, byteFallback ? 1 : 0);
        lengthDelimited(out, 2, t.toByteArray());
        return this;
    }

    SentencePieceModelWriter normalizer(String name, int charsMapBytes, boolean addDummyPrefix, boolean removeExtraWhitespaces) {
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        lengthDelimited(n, 1, name.getBytes(StandardCharsets.UTF_8));
        lengthDelimited(n, 2, new byte[charsMapBytes]);
        tag(n, 3, 0);
        varint(n, addDummyPrefix ? 1 : 0);
        tag(n, 4, 0);
        varint(n, removeExtraWhitespaces ? 1 : 0);
        lengthDelimited(out, 3, n.toByteArray());
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private static void lengthDelimited(ByteArrayOutputStream o, int field, byte[] data) {
        tag(o, field, 2);
        varint(o, data.length);
        o.writeBytes(data);
    }

    private static void tag(ByteArrayOutputStream o, int field, int wireType) {
        varint(o, (long) field << 3 | wireType);
    }

    static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }
}
