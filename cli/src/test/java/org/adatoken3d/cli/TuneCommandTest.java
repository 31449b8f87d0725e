package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        // Which plan wins is the machine's business: the derived one is marked either way, the fastest once.
        var rows = r.out().lines().filter(l -> l.matches("  mr=.*")).toList();
        assertEquals(1, rows.stream().filter(l -> l.endsWith("(derived)") || l.endsWith("(derived, fastest)")).count(), r.out());
        var fastest = rows.stream().filter(l -> l.endsWith("<- fastest") || l.endsWith("(derived, fastest)")).toList();
        assertEquals(1, fastest.size(), r.out());
        String wrote = r.out().lines().filter(l -> l.startsWith("wrote ")).findFirst().orElseThrow();
        String plan = wrote.split(" ")[1];
        assertTrue(plan.matches("mr=\\d,kc=\\d+,panels=\\d+"), wrote);
        assertEquals(plan, fastest.getFirst().trim().split(" +")[0], "the plan written is the one marked fastest: " + r.out());
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

    @Test
    void aWisdomFileThatIsNotPropertiesIsRefusedBeforeMeasuringAndKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wisdom.properties");
        Files.writeString(file, "A=\\u12\n");
        CliRun r = CliRun.of("tune", "--wisdom", file.toString());
        assertTrue(r.exit() != 0, "exit code");
        assertTrue(r.err().contains(file + ": could not write the wisdom file: not a properties file"), r.err());
        assertEquals(1, r.err().split(java.util.regex.Pattern.quote(file.toString()), -1).length - 1, "the path named once: " + r.err());
        assertFalse(r.progress().contains("tune: "), "measured before refusing: " + r.progress());
        assertEquals("A=\\u12\n", Files.readString(file), "the file is left as it was");
    }
}
