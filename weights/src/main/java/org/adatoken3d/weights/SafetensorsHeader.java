package org.adatoken3d.weights;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and checked header of a safetensors file.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON (an object mapping each tensor name to
 * {@code dtype}, {@code shape} and {@code data_offsets}, plus an optional {@code __metadata__} object of strings),
 * then the data section. The checks follow the reference implementation's rules: offsets are relative to the data
 * section, and the tensors' byte ranges tile it exactly, with no overlap, gap or trailing bytes. The JSON is read
 * with a streaming parser so that a hostile header costs memory in proportion to its size, never more.
 *
 * @param dataStart file offset of the data section (8 + N)
 * @param entries tensors in data-section order
 */
record SafetensorsHeader(Map<String, String> metadata, List<Entry> entries, long dataStart) {
    /** The reference implementation's limit; real headers are a few hundred KiB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final int MAX_RANK = 64;
    static final String METADATA_KEY = "__metadata__";

    // Duplicate keys are checked here rather than by Jackson, to name them in the message.
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNumberLength(64)
                    .maxStringLength(10_000_000)
                    .build())
            .build();

    /** One tensor's header entry; begin and end are relative to the data section. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    /** Parses and checks the header of {@code file}, whose whole content is {@code bytes}. */
    static SafetensorsHeader read(Path file, MemorySegment bytes) {
        long size = bytes.byteSize();
        if (size < 8) {
            throw new InvalidFileException(file, "file is " + size + " bytes, too short for a safetensors file"
                    + " (it starts with an 8-byte header length)");
        }
        long headerLength = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw new InvalidFileException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " runs past the end of the file (" + size + " bytes); the file is truncated or not safetensors");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new InvalidFileException(file, "header length " + headerLength + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes; not a safetensors file");
        }
        byte[] json = bytes.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidFileException(file, "header is not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!seen.add(key)) throw new InvalidFileException(file, "duplicate tensor name " + quote(key));
                p.nextToken();
                if (key.equals(METADATA_KEY)) {
                    readMetadata(file, p, metadata);
                } else {
                    entries.add(readEntry(file, p, key, dataSize));
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new InvalidFileException(file, "header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new InvalidFileException(file, "header is not valid JSON: " + shortMessage(e), e);
        } catch (IOException e) {
            // Jackson reports malformed UTF-8 as a plain IOException (CharConversionException).
            throw new InvalidFileException(file, "header is not valid UTF-8 JSON: " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkTiling(file, entries, dataSize);
        return new SafetensorsHeader(metadata, List.copyOf(entries), dataStart);
    }

    private static void readMetadata(Path file, JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return;
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidFileException(file, METADATA_KEY + " is not a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (metadata.containsKey(key)) {
                throw new InvalidFileException(file, METADATA_KEY + " has the key " + quote(key) + " twice");
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new InvalidFileException(file, METADATA_KEY + " value for " + quote(key) + " is not a string");
            }
            metadata.put(key, p.getText());
        }
    }

    private static Entry readEntry(Path file, JsonParser p, String name, long dataSize) throws IOException {
        String where = "tensor " + quote(name);
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidFileException(file, where + " is not a JSON object with dtype, shape and data_offsets");
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (!fields.add(field)) throw new InvalidFileException(file, where + " has the field " + quote(field) + " twice");
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (value != JsonToken.VALUE_STRING) throw new InvalidFileException(file, where + ": dtype is not a string");
                    try {
                        dtype = DType.fromSafetensors(p.getText());
                    } catch (IllegalArgumentException e) {
                        throw new InvalidFileException(file, where + ": " + e.getMessage());
                    }
                }
                case "shape" -> shape = readLongs(file, p, where + ": shape", MAX_RANK);
                case "data_offsets" -> {
                    offsets = readLongs(file, p, where + ": data_offsets", 2);
                    if (offsets.length != 2) {
                        throw new InvalidFileException(file, where + ": data_offsets must hold two numbers [begin, end]");
                    }
                }
                default -> p.skipChildren(); // the reference ignores unknown fields too
            }
        }
        if (dtype == null) throw new InvalidFileException(file, where + " has no dtype");
        if (shape == null) throw new InvalidFileException(file, where + " has no shape");
        if (offsets == null) throw new InvalidFileException(file, where + " has no data_offsets");

        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new InvalidFileException(file, where + ": data_offsets [" + begin + ", " + end + "] are reversed");
        }
        if (end > dataSize) {
            throw new InvalidFileException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section (" + dataSize + " bytes); the file is truncated or its header lies");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new InvalidFileException(file, where + ": shape " + Tensor.shapeString(shape) + " is too large");
        }
        if (bytes != end - begin) {
            throw new InvalidFileException(file, where + ": shape " + Tensor.shapeString(shape) + " of " + dtype
                    + " needs " + bytes + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of at most {@code max} non-negative integers. */
    private static long[] readLongs(Path file, JsonParser p, String what, int max) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw new InvalidFileException(file, what + " is not a JSON array");
        long[] values = new long[Math.min(max, 8)];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw new InvalidFileException(file, what + " holds " + describe(p, t) + ", expected non-negative integers");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw new InvalidFileException(file, what + " holds " + p.getText() + ", expected non-negative integers"
                        + " below 2^63");
            }
            if (n == max) throw new InvalidFileException(file, what + " has more than " + max + " entries");
            if (n == values.length) values = Arrays.copyOf(values, Math.min(max, n * 2));
            values[n++] = p.getLongValue();
        }
        return Arrays.copyOf(values, n);
    }

    /** Ranges sorted by begin must start at 0, follow each other without overlap or gap, and end at the file's end. */
    private static void checkTiling(Path file, List<Entry> sorted, long dataSize) {
        long cursor = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < cursor) {
                throw new InvalidFileException(file, "tensors " + quote(previous.name) + " " + range(previous)
                        + " and " + quote(e.name) + " " + range(e) + " overlap");
            }
            if (e.begin > cursor) {
                throw new InvalidFileException(file, "bytes [" + cursor + ", " + e.begin + ") of the data section belong"
                        + " to no tensor (a gap before " + quote(e.name) + "); the header lies");
            }
            cursor = e.end;
            previous = e;
        }
        if (cursor != dataSize) {
            throw new InvalidFileException(file, "the data section is " + dataSize + " bytes but the tensors cover "
                    + cursor + "; the file has " + (dataSize - cursor) + " bytes no tensor owns");
        }
    }

    private static String range(Entry e) {
        return "[" + e.begin + ", " + e.end + "]";
    }

    private static String describe(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> p.getText();
        };
    }

    private static String shortMessage(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (e.getLocation() != null) m += " at byte " + e.getLocation().getByteOffset() + " of the header";
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    /** A name as it appears in messages: quoted, control characters escaped, cut short if very long. */
    static String quote(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), 120) + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            if (b.length() > 100) {
                b.append("...(").append(name.length()).append(" chars)");
                break;
            }
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
