package org.adatoken3d.model.tokenizer;

import java.util.Arrays;

/**
 * The one decoder behind every {@link Tokenizer}: ids become bytes through a {@link Spelling}, the bytes become
 * text as soon as they form whole UTF-8 characters, and the dummy-prefix space of the first text piece is dropped.
 *
 * <p>Bytes that cannot be part of a valid character become one U+FFFD each, as SentencePiece decodes byte pieces
 * (Java's own decoder would replace a broken sequence as a whole and disagree with the reference on such input).
 */
final class TextDecoder implements Tokenizer.Decoder {
    private static final byte[] NOTHING = new byte[0];
    private static final char REPLACEMENT = '\uFFFD';

    private final Spelling spelling;
    /** The leading bytes of a character whose remaining bytes have not arrived yet (at most three). */
    private byte[] pending = NOTHING;
    /** True until the text's first visible piece: its leading space is the encoder's, not the writer's. */
    private boolean atStart = true;

    TextDecoder(Spelling spelling) {
        this.spelling = spelling;
    }

    @Override
    public String push(int id) {
        byte[][] all = spelling.bytes();
        if (id < 0 || id >= all.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + all.length + " ids");
        }
        if (id == spelling.bos()) {
            atStart = true;
            return "";
        }
        byte[] bytes = all[id];
        if (atStart) {
            if (spelling.dummySpaceCarriers().get(id) && bytes.length > 0 && bytes[0] == ' ') {
                bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
                atStart = false;
            } else if (bytes.length > 0) {
                atStart = false;
            }
        }
        return bytes.length == 0 ? "" : feed(bytes, false);
    }

    @Override
    public String flush() {
        return pending.length == 0 ? "" : feed(NOTHING, true);
    }

    private String feed(byte[] bytes, boolean endOfText) {
        byte[] in = pending.length == 0 ? bytes : concat(pending, bytes);
        pending = NOTHING;
        StringBuilder out = new StringBuilder(in.length);
        int i = 0;
        while (i < in.length) {
            int lead = in[i] & 0xFF;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
            int have = 1;
            while (length > 0 && have < length && i + have < in.length && continues(lead, have, in[i + have] & 0xFF)) have++;
            if (have == length) {
                out.appendCodePoint(codePoint(in, i, length));
                i += length;
            } else if (length > 0 && i + have == in.length && !endOfText) {
                pending = Arrays.copyOfRange(in, i, in.length);
                break;
            } else {
                out.append(REPLACEMENT);
                i++;
            }
        }
        return out.toString();
    }

    /** Whether byte {@code c} may stand at {@code index} of a sequence led by {@code lead} (no overlongs, no surrogates). */
    private static boolean continues(int lead, int index, int c) {
        if (index == 1) {
            if (lead == 0xE0) return c >= 0xA0 && c <= 0xBF;
            if (lead == 0xED) return c >= 0x80 && c <= 0x9F;
            if (lead == 0xF0) return c >= 0x90 && c <= 0xBF;
            if (lead == 0xF4) return c >= 0x80 && c <= 0x8F;
        }
        return c >= 0x80 && c <= 0xBF;
    }

    private static int codePoint(byte[] b, int at, int length) {
        int cp = b[at] & (0xFF >> (length + 1));
        for (int k = 1; k < length; k++) cp = cp << 6 | (b[at + k] & 0x3F);
        return cp;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
