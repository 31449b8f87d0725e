package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.SafetensorsRoundTripTest.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted files must give an InvalidFileException naming the file, never another exception, an OutOfMemoryError
 * or a wrong tensor. When a mutated file still parses, what it yields must be consistent and inside the file.
 */
class SafetensorsCorruptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /** A valid file image and the tensors it holds. */
    record Valid(byte[] bytes, List<Spec> specs) {
        long headerLength() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        }

        byte[] data() {
            return Arrays.copyOfRange(bytes, (int) (8 + headerLength()), bytes.length);
        }

        ObjectNode header() throws IOException {
            return (ObjectNode) JSON.readTree(new String(bytes, 8, (int) headerLength(), StandardCharsets.UTF_8));
        }
    }

    private Valid randomValid(SplittableRandom rnd) throws IOException {
        List<Spec> specs = SafetensorsRoundTripTest.randomSpecs(rnd);
        Path file = dir.resolve("valid.safetensors");
        SafetensorsWriter.write(file, SafetensorsRoundTripTest.randomMetadata(rnd),
                specs.stream().map(Spec::source).toList());
        return new Valid(Files.readAllBytes(file), specs);
    }

    /**
     * Opens {@code bytes} as a file. Passes if it fails with an InvalidFileException naming the file, or if it opens
     * and every tensor is consistent; with {@code original} (same data section), a tensor whose name, dtype and shape
     * are unchanged must also hold the same bytes. Returns whether it opened.
     */
    private boolean openCleanly(byte[] bytes, Valid original) throws IOException {
        Path file = dir.resolve("mutant.safetensors");
        Files.write(file, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            checkConsistent(f, bytes, original);
            return true;
        } catch (InvalidFileException e) {
            checkMessage(e, file);
            return false;
        }
    }

    /**
     * The same through {@link SafetensorsFile#fromSegment}: the parser and checks of {@link #openCleanly} without
     * the file system, so that properties can afford thousands of cases; every tenth case goes through a real file.
     */
    private boolean parseCleanly(byte[] bytes, Valid original, SplittableRandom rnd) throws IOException {
        return rnd.nextInt(10) == 0 ? openCleanly(bytes, original) : parseInMemory(bytes, original);
    }

    private boolean parseInMemory(byte[] bytes, Valid original) {
        Path name = dir.resolve("in-memory.safetensors");
        try (SafetensorsFile f = SafetensorsFile.fromSegment(name, MemorySegment.ofArray(bytes))) {
            checkConsistent(f, bytes, original);
            return true;
        } catch (InvalidFileException e) {
            checkMessage(e, name);
            return false;
        }
    }

    private static void checkMessage(InvalidFileException e, Path file) {
        assertTrue(e.getMessage().startsWith(file + ": "), () -> "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().length() > file.toString().length() + 10, () -> "says something: " + e.getMessage());
    }

    private static void checkConsistent(SafetensorsFile f, byte[] bytes, Valid original) {
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        long total = 0;
        Set<String> names = new HashSet<>();
        for (Tensor t : f.tensors()) {
            assertTrue(names.add(t.name()), "unique names");
            assertEquals(Tensor.elementCount(t.shape()) * t.dtype().byteSize(), t.byteSize());
            if (t.byteSize() > 0) { // inside the mapping, or this throws
                t.data().get(ValueLayout.JAVA_BYTE, 0);
                t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1);
            }
            total += t.byteSize();
        }
        assertEquals(bytes.length, 8 + headerLength + total, "tensors tile the data section");
        if (original == null) return;
        Map<String, Spec> before = new HashMap<>();
        for (Spec s : original.specs) before.put(s.name(), s);
        for (Tensor t : f.tensors()) {
            Spec s = before.get(t.name());
            if (s != null && s.dtype() == t.dtype() && Arrays.equals(s.shape(), t.shape())) {
                assertArrayEquals(s.bytes(), t.data().toArray(ValueLayout.JAVA_BYTE),
                        "tensor " + t.name() + " kept its name, dtype and shape but not its bytes");
            }
        }
    }

    private void mustFail(byte[] bytes, String... fragments) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "expected \"" + fragment + "\" in: " + e.getMessage());
        }
    }

    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    // ------------------------------------------------------------------------------------------ properties

    @Test
    void truncationAtEveryLengthIsAnInvalidFile() {
        SeededCases.run("truncationAtEveryLengthIsAnInvalidFile", 40, rnd -> {
            Valid v = randomValid(rnd);
            for (int length = 0; length < v.bytes.length; length++) {
                if (parseInMemory(Arrays.copyOf(v.bytes, length), v)) {
                    fail("truncated to " + length + " of " + v.bytes.length + " bytes, still opened");
                }
            }
        });
    }

    @Test
    void truncatedFilesAreInvalidInEveryRegion() {
        SeededCases.run("truncatedFilesAreInvalidInEveryRegion", 40, rnd -> {
            Valid v = randomValid(rnd);
            int headerEnd = (int) (8 + v.headerLength());
            // The length prefix, the header, and the data section (which holds each tensor back to back).
            int[] cuts = {rnd.nextInt(8), 8 + rnd.nextInt(headerEnd - 8), headerEnd,
                    headerEnd + rnd.nextInt(Math.max(1, v.bytes.length - headerEnd)), v.bytes.length - 1};
            for (int cut : cuts) {
                if (cut < v.bytes.length && openCleanly(Arrays.copyOf(v.bytes, cut), v)) {
                    fail("truncated to " + cut + " of " + v.bytes.length + " bytes, still opened");
                }
            }
        });
    }

    /** Bytes that keep a header looking like JSON, so that flips get past the parser more often. */
    private static final String JSON_CHARS = "0123456789[]{},:\"-. eE";

    @Test
    void byteFlipsInTheHeaderNeverYieldAWrongTensor() {
        SeededCases.run("byteFlipsInTheHeaderNeverYieldAWrongTensor", 300, rnd -> {
            Valid v = randomValid(rnd);
            for (int mutant = 0; mutant < 10; mutant++) {
                byte[] bytes = v.bytes.clone();
                int flips = SeededCases.between(rnd, 1, 3);
                for (int i = 0; i < flips; i++) {
                    int at = 8 + rnd.nextInt((int) v.headerLength());
                    bytes[at] = rnd.nextBoolean() ? (byte) rnd.nextInt(256)
                            : (byte) JSON_CHARS.charAt(rnd.nextInt(JSON_CHARS.length()));
                }
                parseCleanly(bytes, v, rnd);
            }
        });
    }

    @Test
    void lyingHeaderLengthsAreInvalidFiles() {
        SeededCases.run("lyingHeaderLengthsAreInvalidFiles", 500, rnd -> {
            Valid v = randomValid(rnd);
            long n = v.headerLength();
            long[] lies = {n + SeededCases.between(rnd, 1, 16), n - SeededCases.between(rnd, 1, (int) Math.min(n, 16)), 0, 1,
                    v.bytes.length - 8, v.bytes.length - 7, 100_000_001L, 1L << 40, -1, Long.MIN_VALUE, rnd.nextLong()};
            long lie = lies[rnd.nextInt(lies.length)];
            if (lie == n) return;
            byte[] bytes = v.bytes.clone();
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lie);
            if (parseCleanly(bytes, null, rnd)) fail("header length " + lie + " instead of " + n + " still opened");
        });
    }

    @Test
    void lyingOffsetsShapesAndDtypesNeverYieldAWrongTensor() {
        SeededCases.run("lyingOffsetsShapesAndDtypesNeverYieldAWrongTensor", 1500, rnd -> {
            Valid v = randomValid(rnd);
            ObjectNode header = v.header();
            List<String> names = new ArrayList<>();
            header.fieldNames().forEachRemaining(names::add);
            names.remove("__metadata__");
            ObjectNode entry = (ObjectNode) header.get(names.get(rnd.nextInt(names.size())));
            ArrayNode offsets = (ArrayNode) entry.get("data_offsets");
            ArrayNode shape = (ArrayNode) entry.get("shape");
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            int dataSize = v.data().length;
            switch (rnd.nextInt(14)) {
                case 0 -> offsets.set(0, begin + SeededCases.between(rnd, -9, 9));
                case 1 -> offsets.set(1, end + SeededCases.between(rnd, -9, 9));
                case 2 -> { offsets.set(0, end); offsets.set(1, begin); }
                case 3 -> { offsets.set(0, begin + dataSize); offsets.set(1, end + dataSize); }
                case 4 -> { offsets.set(0, 0); offsets.set(1, end - begin); } // onto another tensor's bytes
                case 5 -> { if (!shape.isEmpty()) shape.set(rnd.nextInt(shape.size()), SeededCases.between(rnd, -3, 9)); }
                case 6 -> shape.add(SeededCases.between(rnd, 0, 3));
                case 7 -> { shape.removeAll(); shape.add(Long.MAX_VALUE / 3); shape.add(7); shape.add(5); }
                case 8 -> entry.put("dtype", List.of("F8_E4M3", "f32", "Q4_0", "", "U16").get(rnd.nextInt(5)));
                case 9 -> entry.put("dtype", DType.values()[rnd.nextInt(DType.values().length)].safetensorsName());
                case 10 -> entry.remove(List.of("dtype", "shape", "data_offsets").get(rnd.nextInt(3)));
                case 11 -> entry.set(List.of("dtype", "shape", "data_offsets").get(rnd.nextInt(3)),
                        List.<JsonNode>of(JSON.getNodeFactory().textNode("x"), JSON.getNodeFactory().numberNode(2.5),
                                JSON.getNodeFactory().arrayNode().add(1.5), JSON.getNodeFactory().nullNode(),
                                JSON.getNodeFactory().arrayNode().add(1).add(2).add(3)).get(rnd.nextInt(5)));
                case 12 -> { if (shape.size() >= 2) { JsonNode a = shape.get(0); shape.set(0, shape.get(1)); shape.set(1, a); } }
                default -> offsets.add(end);
            }
            byte[] h = JSON.writeValueAsBytes(header);
            parseCleanly(file(new String(h, StandardCharsets.UTF_8), v.data()), v, rnd);
        });
    }

    @Test
    void randomBytesAreInvalidFiles() {
        SeededCases.run("randomBytesAreInvalidFiles", 500, rnd -> {
            byte[] bytes = new byte[rnd.nextInt(300)];
            rnd.nextBytes(bytes);
            if (bytes.length >= 8 && rnd.nextBoolean()) { // a plausible length, garbage after it
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextInt(bytes.length - 7));
            }
            parseCleanly(bytes, null, rnd);
        });
    }

    // ------------------------------------------------------------------------------------------ one rule each

    private static final byte[] SIXTEEN = new byte[16];

    @Test
    void tooShortFile() throws IOException {
        mustFail(new byte[5], "5 bytes", "too short");
        mustFail(new byte[0], "0 bytes");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        byte[] b = file("{}", new byte[0]);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 50);
        mustFail(b, "header length 1125899906842624", "past the end");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
        mustFail(b, "header length 18446744073709551615", "past the end");
    }

    @Test
    void absurdlyLargeHeaderIsRefusedWithoutReadingIt() throws IOException {
        // A sparse file: 200 MB long, mostly holes, claiming a 150 MB header.
        Path file = dir.resolve("huge.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 150_000_000L));
            ch.write(ByteBuffer.wrap(new byte[] {1}), 200_000_000L);
        }
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void invalidJson() throws IOException {
        mustFail(file("{\"a\": {\"dtype\": \"F32\",", new byte[0]), "not valid JSON");
        mustFail(file("{} {}", new byte[0]), "content after");
        mustFail(file("{\"a\":\"\u00ff\"}", new byte[0]).clone(), ""); // valid UTF-8; only parses as a bad entry
        byte[] badUtf8 = file("{\"a\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        mustFail(badUtf8);
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        for (String h : List.of("[]", "null", "3", "\"x\"")) mustFail(file(h, new byte[0]), "not a JSON object");
    }

    @Test
    void missingFields() throws IOException {
        mustFail(file("{\"w\":{\"shape\":[4],\"data_offsets\":[0,16]}}", SIXTEEN), "\"w\" has no dtype");
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", SIXTEEN), "\"w\" has no shape");
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}", SIXTEEN), "\"w\" has no data_offsets");
        mustFail(file("{\"w\":[1]}", SIXTEEN), "\"w\" is not a JSON object");
    }

    @Test
    void negativeAndNonIntegerDims() throws IOException {
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", SIXTEEN), "shape holds -4");
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4.0],\"data_offsets\":[0,16]}}", SIXTEEN), "shape holds 4.0");
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,16]}}", SIXTEEN),
                "below 2^63");
    }

    @Test
    void shapeProductOverflow() throws IOException {
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}", SIXTEEN),
                "too large");
        mustFail(file("{\"w\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,16]}}", SIXTEEN),
                "too large");
    }

    @Test
    void offsetsOutOfRangeOrReversed() throws IOException {
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,32]}}", SIXTEEN),
                "[0, 32] run past the end of the data section (16 bytes)");
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", SIXTEEN), "reversed");
        mustFail(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0]}}", SIXTEEN), "two numbers");
    }

    @Test
    void overlappingRanges() throws IOException {
        mustFail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", SIXTEEN), "\"a\" [0, 16] and \"b\" [8, 16] overlap");
    }

    @Test
    void gapsAndTrailingBytes() throws IOException {
        mustFail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", SIXTEEN), "belong to no tensor");
        mustFail(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", SIXTEEN), "8 bytes no tensor owns");
    }

    @Test
    void sizeThatDisagreesWithTheByteRange() throws IOException {
        mustFail(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,16]}}", SIXTEEN),
                "shape [4] of BF16 needs 8 bytes, but data_offsets [0, 16] hold 16");
    }

    @Test
    void unknownDtype() throws IOException {
        mustFail(file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[16],\"data_offsets\":[0,16]}}", SIXTEEN),
                "\"w\": unknown dtype \"F8_E4M3\"", "supported: F64, F32");
    }

    @Test
    void duplicateNames() throws IOException {
        String e = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        mustFail(file("{\"a\":" + e + ",\"a\":" + e + "}", new byte[8]), "duplicate tensor name \"a\"");
        mustFail(file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "field \"dtype\" twice");
        mustFail(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", new byte[0]), "key \"k\" twice");
    }

    @Test
    void metadataMustHoldStrings() throws IOException {
        mustFail(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__ value for \"k\" is not a string");
        mustFail(file("{\"__metadata__\":[1]}", new byte[0]), "__metadata__ is not a JSON object");
    }

    @Test
    void deepNestingIsRefused() throws IOException {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        mustFail(file("{\"w\":{\"extra\":" + deep + ",\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[0]),
                "not valid JSON");
    }

    @Test
    void hugeRankIsRefused() throws IOException {
        String dims = "1,".repeat(100) + "1";
        mustFail(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[" + dims + "],\"data_offsets\":[0,1]}}", new byte[1]),
                "more than 64 entries");
    }

    @Test
    void controlCharactersInNamesAreEscapedInMessages() throws IOException {
        mustFail(file("{\"evil\\u001b[31m\":{\"dtype\":\"X\",\"shape\":[],\"data_offsets\":[0,0]}}", new byte[0]),
                "\"evil\\u001b[31m\"");
    }

    @Test
    void missingFileFolderAndMissingTensor() throws IOException {
        Path none = dir.resolve("none.safetensors");
        assertTrue(assertThrows(InvalidFileException.class, () -> SafetensorsFile.open(none)).getMessage()
                .endsWith("none.safetensors: no such file"));
        assertTrue(assertThrows(InvalidFileException.class, () -> SafetensorsFile.open(dir)).getMessage()
                .contains("is a folder"));
        Path ok = dir.resolve("ok.safetensors");
        SafetensorsWriter.write(ok, Map.of(), List.of(TensorSource.ofInts("a", new long[] {1}, new int[] {1})));
        try (SafetensorsFile f = SafetensorsFile.open(ok)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> f.tensor("b"));
            assertEquals(ok + ": no tensor b (the file holds 1 tensors)", e.getMessage());
        }
    }
}
