package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCommandTest {
    @Test
    void writesTheFastestPlanUnderThisMachineAndKeepsOtherEntries(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wisdom.properties");
        Files.writeString(file, "Some\\ Other\\ CPU\\ 512-bit=mr\\=8,kc\\=256,panels\\=32\n");
        CliRun r = CliRun.of("tune", "--wisdom", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(derived)"), r.out());
        String wrote = r.out().lines().filter(l -> l.startsWith("wrote ")).findFirst().orElseThrow();
        String plan = wrote.split(" ")[1];
        assertTrue(plan.matches("mr=\\d,kc=\\d+,panels=\\d+"), wrote);
        String text = Files.readString(file);
        assertTrue(text.contains("Some\\ Other\\ CPU\\ 512-bit=mr\\=8,kc\\=256,panels\\=32"), text);
        assertTrue(text.contains(plan.replace("=", "\\=")), text);
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(file), files.toList(), "no temporary file left beside it");
        }
    }

    @Test
    void aWisdomPathThatIsAFolderIsAClearError(@TempDir Path dir) {
        CliRun r = CliRun.of("tune", "--wisdom", dir.toString());
        assertTrue(r.exit() != 0, "exit code");
        assertTrue(r.err().contains(dir + ": could not write the wisdom file"), r.err());
    }
}
