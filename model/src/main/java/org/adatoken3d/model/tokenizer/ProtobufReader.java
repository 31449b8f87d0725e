package org.adatoken3d.model.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;

/**
 * Just enough of the protobuf wire format to read a SentencePiece model: tags, varints, fixed32, and
 * length-delimited fields, which become sub-readers over the same array. Every length is checked against the
 * bytes that are really there, so a lying file is an {@link InvalidFileException}, never a huge allocation.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final Path file;
    private final byte[] data;
    private final String message;
    private final int limit;
    private int position;
    private int lastTag;

    /** A reader of the whole of {@code data}, a message called {@code message} in errors. */
    ProtobufReader(Path file, byte[] data, String message) {
        this(file, data, message, 0, data.length);
    }

    private ProtobufReader(Path file, byte[] data, String message, int start, int limit) {
        this.file = file;
        this.data = data;
        this.message = message;
        this.position = start;
        this.limit = limit;
    }

    boolean hasMore() {
        return position < limit;
    }

    /** Reads the next field's tag and returns its field number; {@link #wireType()} tells how its value is stored. */
    int nextField() {
        int at = position;
        long tag = readVarint();
        int field = (int) (tag >>> 3);
        if (tag >>> 3 > 0x1FFFFFFF || field == 0) throw error(at, "field number " + (tag >>> 3) + " is not valid");
        int type = (int) (tag & 7);
        if (type != VARINT && type != FIXED64 && type != LENGTH_DELIMITED && type != FIXED32) {
            throw error(at, "field " + field + " has wire type " + type + ", which is not a protobuf wire type this file can use");
        }
        lastTag = (int) tag;
        return field;
    }

    int wireType() {
        return lastTag & 7;
    }

    /** Fails unless the current field is stored with {@code type}: a file that says otherwise is not this format. */
    void expect(int type, String name) {
        if (wireType() != type) {
            throw error(position, message + "." + name + " (field " + (lastTag >>> 3) + ") has wire type " + wireType()
                    + ", expected " + type);
        }
    }

    long readVarint() {
        int at = position;
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) throw error(at, "a varint runs past the end of " + message);
            byte b = data[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) return value;
        }
        throw error(at, "a varint in " + message + " is longer than 10 bytes");
    }

    /** A protobuf int32 or enum: negative values are written as 64-bit varints, and truncating them is the spec. */
    int readInt32() {
        return (int) readVarint();
    }

    boolean readBool() {
        return readVarint() != 0;
    }

    float readFloat() {
        if (limit - position < 4) throw error(position, "a 4-byte value runs past the end of " + message);
        int bits = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8 | (data[position + 2] & 0xFF) << 16
                | (data[position + 3] & 0xFF) << 24;
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    /** The current length-delimited field as a reader of its own, called {@code name} in errors. */
    ProtobufReader readMessage(String name) {
        int length = readLength();
        ProtobufReader sub = new ProtobufReader(file, data, name, position, position + length);
        position += length;
        return sub;
    }

    String readString(String name) {
        int at = position;
        int length = readLength();
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, length))
                    .toString();
            position += length;
            return s;
        } catch (CharacterCodingException e) {
            throw error(at, name + " is not valid UTF-8");
        }
    }

    /** Skips a length-delimited value and returns how many bytes it held. */
    int skipBytes() {
        int length = readLength();
        position += length;
        return length;
    }

    /** Skips the current field's value, whatever its wire type. */
    void skipValue() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> skipFixed(8);
            case FIXED32 -> skipFixed(4);
            default -> skipBytes();
        }
    }

    /** An error at the reader's current place. */
    InvalidFileException error(String problem) {
        return error(position, problem);
    }

    private void skipFixed(int n) {
        if (limit - position < n) throw error(position, "a " + n + "-byte value runs past the end of " + message);
        position += n;
    }

    private int readLength() {
        int at = position;
        long length = readVarint();
        if (length < 0 || length > limit - position) {
            throw error(at, "a length of " + Long.toUnsignedString(length) + " bytes runs past the end of " + message
                    + " (" + (limit - position) + " bytes left)");
        }
        return (int) length;
    }

    private InvalidFileException error(int at, String problem) {
        return new InvalidFileException(file, "not a valid SentencePiece model: " + problem + " (at byte " + at + ")");
    }
}
