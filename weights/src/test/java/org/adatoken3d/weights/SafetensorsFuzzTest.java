package org.adatoken3d.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Jazzer fuzz test of the safetensors header parser, fed whole file images. In a plain {@code mvn test} it replays
 * the seeds under src/test/resources/.../SafetensorsFuzzTestInputs; {@code scripts/fuzz} runs it as a fuzzer.
 */
class SafetensorsFuzzTest {
    private static final Path NAME = Path.of("fuzz.safetensors");

    @FuzzTest(maxDuration = "5m")
    void headerParserFailsOnlyWithInvalidFileException(byte[] input) {
        try (SafetensorsFile f = SafetensorsFile.fromSegment(NAME, MemorySegment.ofArray(input))) {
            long headerLength = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            long total = 0;
            Set<String> names = new HashSet<>();
            for (Tensor t : f.tensors()) {
                if (!names.add(t.name())) throw new AssertionError("two tensors called " + t.name());
                if (t.byteSize() != Tensor.elementCount(t.shape()) * t.dtype().byteSize()) {
                    throw new AssertionError("tensor " + t + " has " + t.byteSize() + " bytes");
                }
                if (t.byteSize() > 0) {
                    t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1);
                    t.getFloat(t.elementCount() - 1);
                }
                total += t.byteSize();
            }
            if (8 + headerLength + total != input.length) {
                throw new AssertionError("tensors cover " + total + " bytes of a " + input.length + "-byte file");
            }
        } catch (InvalidFileException expected) {
            if (!expected.getMessage().startsWith(NAME + ": ")) throw new AssertionError("unnamed file", expected);
        }
    }
}
