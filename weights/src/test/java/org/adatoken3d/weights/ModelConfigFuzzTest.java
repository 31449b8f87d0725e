package org.adatoken3d.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Jazzer fuzz test of the config.json parser. In a plain {@code mvn test} it replays the seeds under
 * src/test/resources/.../ModelConfigFuzzTestInputs; {@code scripts/fuzz} runs it as a fuzzer.
 */
class ModelConfigFuzzTest {
    private static final Path NAME = Path.of("fuzz", "config.json");

    @FuzzTest(maxDuration = "5m")
    void configParserFailsOnlyWithInvalidFileException(byte[] input) {
        ModelConfig config;
        try {
            config = ModelConfig.parse(NAME, input);
        } catch (InvalidFileException expected) {
            if (!expected.getMessage().startsWith(NAME + ": ")) throw new AssertionError("unnamed file", expected);
            return;
        }
        ModelConfig again = ModelConfig.parse(NAME, config.toJson().getBytes(StandardCharsets.UTF_8));
        if (!again.equals(config)) throw new AssertionError("toJson does not round-trip:\n" + config + "\n" + again);
        DecoderConfig d = config.decoder();
        if (d.numLayers() <= 64) { // keep each run fast; the sizes are what matter
            long sum = 0;
            for (TensorNames.Expected e : TensorNames.decoder(d)) sum += Tensor.elementCount(e.shape());
            if (sum != d.parameterCount()) throw new AssertionError("parameterCount " + d.parameterCount() + " != " + sum);
        }
    }
}
