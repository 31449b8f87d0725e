package org.adatoken3d.model.tokenizer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;

/**
 * The one decoder behind every {@link Tokenizer}: ids become bytes through a {@link Spelling}, the bytes become
 * text as soon as they form whole UTF-8 characters, and the dummy-prefix space of the first text piece is dropped.
 */
final class TextDecoder implements Tokenizer.Decoder {
    private static final byte[] NOTHING = new byte[0];

    private final Spelling spelling;
    private final CharsetDecoder utf8 = UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
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
        ByteBuffer in = ByteBuffer.allocate(pending.length + bytes.length).put(pending).put(bytes).flip();
        // UTF-8 never yields more chars than bytes; +1 leaves room for a replacement at the end of the text.
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        utf8.decode(in, out, endOfText);
        if (endOfText) {
            utf8.flush(out);
            utf8.reset();
        }
        pending = in.hasRemaining() ? Arrays.copyOfRange(in.array(), in.position(), in.limit()) : NOTHING;
        return out.flip().toString();
    }
}
