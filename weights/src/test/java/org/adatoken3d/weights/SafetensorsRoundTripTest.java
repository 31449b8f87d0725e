package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    static final Path STORIES = Path.of(System.getProperty("adatoken3d.shared", "../../shared"), "data", "stories260K");

    @TempDir Path dir;

    /** A tensor to write, with its bytes known to the test. */
    record Spec(String name, DType dtype, long[] shape, byte[] bytes) {
        TensorSource source() {
            return TensorSource.ofBytes(name, dtype, shape, bytes);
        }
    }

    static long[] randomShape(SplittableRandom rnd) {
        int rank = rnd.nextInt(5); // 0 = scalar
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = rnd.nextInt(10) == 0 ? 0 : SeededCases.between(rnd, 1, 6);
        if (rank > 0 && rnd.nextInt(6) == 0) Arrays.fill(shape, 1); // a 1-element tensor
        return shape;
    }

    static Spec randomSpec(SplittableRandom rnd, String name) {
        DType dtype = DType.values()[rnd.nextInt(DType.values().length)];
        long[] shape = randomShape(rnd);
        byte[] bytes = new byte[(int) (Tensor.elementCount(shape) * dtype.byteSize())];
        rnd.nextBytes(bytes);
        if (dtype == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
        return new Spec(name, dtype, shape, bytes);
    }

    static List<Spec> randomSpecs(SplittableRandom rnd) {
        int n = SeededCases.between(rnd, 1, 6);
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) specs.add(randomSpec(rnd, randomName(rnd, i)));
        return specs;
    }

    static String randomName(SplittableRandom rnd, int i) {
        String[] stems = {"model.layers.%d.mlp.up_proj.weight", "t%d", "ünïcødé.%d", "quote\"and\\slash/%d", "tab\t%d", ""};
        String stem = stems[rnd.nextInt(stems.length)];
        return stem.isEmpty() ? (i == 0 ? "" : "empty" + i) : stem.formatted(i);
    }

    static Map<String, String> randomMetadata(SplittableRandom rnd) {
        Map<String, String> m = new LinkedHashMap<>();
        int n = rnd.nextInt(3);
        for (int i = 0; i < n; i++) m.put("key" + i + (i == 1 ? "\"ü\n" : ""), "value" + rnd.nextInt());
        return m;
    }

    @Test
    void randomTensorsOfEveryDtypeRoundTripBitExactly() {
        SeededCases.run("randomTensorsRoundTripBitExactly", 300, rnd -> {
            List<Spec> specs = randomSpecs(rnd);
            Map<String, String> metadata = randomMetadata(rnd);
            Path file = dir.resolve("rt.safetensors");
            SafetensorsWriter.write(file, metadata, specs.stream().map(Spec::source).toList());
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertEquals(metadata, f.metadata());
                assertEquals(specs.size(), f.tensors().size());
                for (int i = 0; i < specs.size(); i++) {
                    Spec s = specs.get(i);
                    Tensor t = f.tensors().get(i); // the writer keeps the given order, so the file order is the same
                    assertEquals(s.name, t.name());
                    assertEquals(t, f.tensor(s.name));
                    assertEquals(s.dtype, t.dtype());
                    assertArrayEquals(s.shape, t.shape());
                    assertEquals(s.shape.length, t.rank());
                    assertEquals(Tensor.elementCount(s.shape), t.elementCount());
                    assertArrayEquals(s.bytes, t.data().toArray(ValueLayout.JAVA_BYTE));
                    assertTrue(t.data().isReadOnly());
                    checkTypedAccess(s, t);
                }
            }
        });
    }

    /** getFloat / getLong agree with decoding the written bytes independently through a ByteBuffer. */
    private static void checkTypedAccess(Spec s, Tensor t) {
        ByteBuffer b = ByteBuffer.wrap(s.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.elementCount(); i++) {
            int at = i * s.dtype.byteSize();
            switch (s.dtype) {
                case F32 -> assertEquals(b.getInt(at), Float.floatToRawIntBits(t.getFloat(i)));
                case F64 -> assertEquals(Float.floatToIntBits((float) b.getDouble(at)), Float.floatToIntBits(t.getFloat(i)));
                case BF16 -> assertEquals(Float.floatToIntBits(Float.intBitsToFloat((b.getShort(at) & 0xFFFF) << 16)),
                        Float.floatToIntBits(t.getFloat(i)));
                case F16 -> assertEquals(Float.floatToIntBits(Float.float16ToFloat(b.getShort(at))),
                        Float.floatToIntBits(t.getFloat(i)));
                case I64 -> assertEquals(b.getLong(at), t.getLong(i));
                case I32 -> assertEquals(b.getInt(at), t.getLong(i));
                case I16 -> assertEquals(b.getShort(at), t.getLong(i));
                case I8 -> assertEquals(b.get(at), t.getLong(i));
                case U8 -> assertEquals(b.get(at) & 0xFF, t.getLong(i));
                case BOOL -> assertEquals(b.get(at), t.getLong(i));
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> t.getFloat(t.elementCount()));
        assertThrows(IndexOutOfBoundsException.class, () -> t.getFloat(-1));
    }

    @Test
    void writtenFilesFollowTheReferenceLayout() {
        SeededCases.run("writtenFilesFollowTheReferenceLayout", 100, rnd -> {
            List<Spec> specs = randomSpecs(rnd);
            Map<String, String> metadata = randomMetadata(rnd);
            Path file = dir.resolve("layout.safetensors");
            SafetensorsWriter.write(file, metadata, specs.stream().map(Spec::source).toList());
            byte[] all = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            long n = b.getLong(0);
            assertEquals(0, (8 + n) % 8, "data section starts 8-aligned");
            String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
            assertEquals(header.strip(), header.stripTrailing(), "padding is trailing spaces only");
            assertTrue(header.startsWith("{"));
            JsonNode json = new ObjectMapper().readTree(header);
            assertEquals(metadata.isEmpty(), !json.has("__metadata__"));
            long cursor = 0;
            for (Spec s : specs) {
                JsonNode e = json.get(s.name);
                assertEquals(s.dtype.safetensorsName(), e.get("dtype").asText());
                assertEquals(Arrays.toString(s.shape), e.get("shape").toString().replace(",", ", "));
                long begin = e.get("data_offsets").get(0).asLong();
                long end = e.get("data_offsets").get(1).asLong();
                assertEquals(cursor, begin, "relative to the data section, back to back");
                assertEquals(s.bytes.length, end - begin);
                assertArrayEquals(s.bytes, Arrays.copyOfRange(all, (int) (8 + n + begin), (int) (8 + n + end)));
                cursor = end;
            }
            assertEquals(all.length, 8 + n + cursor, "no trailing bytes");
        });
    }

    @Test
    void rewritingStories260KReproducesTheFileByteForByte() throws IOException {
        // model.safetensors was written by a different tool; the same tensors in the same order must give the same bytes.
        Path original = STORIES.resolve("model.safetensors");
        Path copy = dir.resolve("copy.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(48, f.tensors().size());
            assertArrayEquals(new long[] {512, 64}, f.tensor("model.embed_tokens.weight").shape());
            SafetensorsWriter.write(copy, f.metadata(), f.tensors().stream().map(TensorSource::copyOf).toList());
        }
        assertEquals(-1, Files.mismatch(original, copy));
    }

    @Test
    void floatConveniencesRoundToTheStoredDtype() throws IOException {
        SeededCases.run("floatConveniencesRoundToTheStoredDtype", 50, rnd -> {
            float[] values = SeededCases.uniform(rnd, SeededCases.between(rnd, 1, 200_000), 100f);
            int[] ints = rnd.ints(values.length).toArray();
            long[] longs = rnd.longs(values.length).toArray();
            long[] shape = {values.length};
            Path file = dir.resolve("floats.safetensors");
            SafetensorsWriter.write(file, Map.of(), List.of(
                    TensorSource.ofFloats("f32", DType.F32, shape, values),
                    TensorSource.ofFloats("bf16", DType.BF16, shape, values),
                    TensorSource.ofFloats("f16", DType.F16, shape, values),
                    TensorSource.ofInts("i32", shape, ints),
                    TensorSource.ofLongs("i64", shape, longs)));
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertArrayEquals(values, f.tensor("f32").toFloatArray());
                float[] bf16 = f.tensor("bf16").toFloatArray();
                float[] f16 = f.tensor("f16").toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    assertEquals(Halfs.bf16ToFloat(Halfs.floatToBf16(values[i])), bf16[i]);
                    assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), f16[i]);
                    assertEquals(ints[i], f.tensor("i32").getLong(i));
                    assertEquals(longs[i], f.tensor("i64").getLong(i));
                }
            }
        });
    }

    @Test
    void aWriterThatLiesAboutItsSizeFailsAndLeavesTheOldFileInPlace() throws IOException {
        Path file = dir.resolve("keep.safetensors");
        SafetensorsWriter.write(file, Map.of(), List.of(TensorSource.ofInts("a", new long[] {2}, new int[] {1, 2})));
        byte[] before = Files.readAllBytes(file);
        TensorSource shortWriter = new TensorSource("b", DType.F32, new long[] {4}, sink -> sink.put(ByteBuffer.allocate(12)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SafetensorsWriter.write(file, Map.of(), List.of(shortWriter)));
        assertTrue(e.getMessage().contains("produced 12 bytes") && e.getMessage().contains("needs 16"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        TensorSource failing = new TensorSource("c", DType.U8, new long[] {1}, sink -> {
            throw new IOException("disk on fire");
        });
        assertThrows(IOException.class, () -> SafetensorsWriter.write(file, Map.of(), List.of(failing)));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void writerRejectsDuplicateAndReservedNames() {
        TensorSource a = TensorSource.ofInts("a", new long[] {1}, new int[] {1});
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(dir.resolve("x.safetensors"), Map.of(), List.of(a, a)));
        TensorSource reserved = TensorSource.ofInts("__metadata__", new long[] {1}, new int[] {1});
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(dir.resolve("x.safetensors"), Map.of(), List.of(reserved)));
        assertThrows(IllegalArgumentException.class, () -> TensorSource.ofInts("n", new long[] {-1}, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> TensorSource.ofFloats("w", DType.I32, new long[] {1}, new float[1]));
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void anEmptyCheckpointFileRoundTrips() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, Map.of(), List.of());
        assertEquals(16, Files.size(file), "8-byte length + \"{}\" padded to 8");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.tensors().isEmpty());
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void tensorsAreUnusableAfterClose() throws IOException {
        Path file = dir.resolve("closed.safetensors");
        SafetensorsWriter.write(file, Map.of(), List.of(TensorSource.ofInts("a", new long[] {1}, new int[] {7})));
        SafetensorsFile f = SafetensorsFile.open(file);
        Tensor t = f.tensor("a");
        assertEquals(7, t.getLong(0));
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> t.getLong(0));
    }
}
