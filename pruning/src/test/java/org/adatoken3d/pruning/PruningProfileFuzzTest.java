package org.adatoken3d.pruning;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;

/**
 * The pruning-profile reader on arbitrary bytes: a profile that parses yields a usable gate policy, anything else is an
 * {@link InvalidFileException} naming the file; any other exception is a finding. Under {@code mvn test} it runs in
 * Jazzer's regression mode on the seeds in {@code PruningProfileFuzzTestInputs/<method>/}; {@code scripts/fuzz} fuzzes it.
 */
class PruningProfileFuzzTest {
    private static final Path FILE = Path.of("fuzz-profile.json");

    @FuzzTest(maxDuration = "60s")
    void profileFile(byte[] data) {
        try {
            PruningProfile p = PruningProfile.parse(FILE, data);
            GatePolicy gate = p.policy();
            gate.checkLayers(p.layers());
        } catch (InvalidFileException expected) {
            if (!expected.getMessage().startsWith(FILE + ": ")) throw new AssertionError("unnamed file", expected);
        }
    }
}
