package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void replacesTheWholeFile() throws IOException {
        Path file = dir.resolve("a.json");
        Files.writeString(file, "old and longer than the new one");
        AtomicFiles.write(file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(file));
        assertEquals(List.of(file), files());
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoPartialOne() throws IOException {
        Path file = dir.resolve("a.json");
        Files.writeString(file, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, partial -> {
            Files.writeString(partial, "half");
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), files());
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, partial -> {
            throw new IllegalStateException("bug");
        }));
        assertEquals(List.of(file), files());
    }

    @Test
    void keepsTheModeOfTheFileItReplacesAndGivesANewFileTheUmasksMode() throws IOException {
        Path file = dir.resolve("a.bin");
        Files.write(file, new byte[] {1});
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.write(file, new byte[] {2, 3});
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(file));

        Path plain = Files.createFile(dir.resolve("made-by-files.bin"));
        Path fresh = dir.resolve("fresh.bin");
        AtomicFiles.write(fresh, new byte[] {4});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(fresh), "not a temporary file's 0600");
    }

    @Test
    void aFolderItCannotWriteInIsNamedByTheFileAskedFor() {
        Path file = dir.resolve("missing").resolve("a.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, new byte[] {1}));
        assertTrue(e.getMessage().startsWith(file + ": cannot write here (no such folder "), e.getMessage());
        assertTrue(!e.getMessage().contains(AtomicFiles.PARTIAL_SUFFIX), e.getMessage());
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
