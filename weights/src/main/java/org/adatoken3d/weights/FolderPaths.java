package org.adatoken3d.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Paths that a data file names relative to its own folder (a scene's frames, a question file's scene file), kept
 * inside that folder: a file that says {@code ../../etc/passwd} or {@code /etc/passwd} must not make a reader open
 * it. The shard index of {@link Checkpoint} applies the same idea more strictly (a plain file name beside the index).
 */
public final class FolderPaths {
    private FolderPaths() {}

    /**
     * {@code name} resolved against {@code folder}. Refused, naming {@code source} (the file that holds the name) and
     * {@code field}, when it is absolute, when {@code ..} takes it out of the folder, or, where the path exists, when a
     * symbolic link on the way leads outside the folder.
     */
    public static Path inside(Path folder, String name, Path source, String field) {
        Path relative;
        try {
            relative = Path.of(name);
        } catch (InvalidPathException e) {
            throw new InvalidFileException(source, field + " is not a valid path: " + abbreviate(name));
        }
        if (relative.isAbsolute() || relative.getRoot() != null) {
            throw new InvalidFileException(source, field + " is the absolute path " + abbreviate(name) + "; it must be relative to " + folder);
        }
        Path base = folder.toAbsolutePath().normalize();
        Path resolved = base.resolve(relative).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new InvalidFileException(source, field + " names " + abbreviate(name) + ", which lies outside " + base);
        }
        if (Files.exists(resolved)) {
            try {
                Path real = resolved.toRealPath();
                Path realBase = base.toRealPath();
                if (!real.startsWith(realBase)) {
                    throw new InvalidFileException(source, field + " names " + abbreviate(name) + ", a symbolic link to " + real + " outside " + realBase);
                }
            } catch (IOException e) {
                throw new InvalidFileException(source, field + " names " + abbreviate(name) + ", which cannot be resolved: " + e.getMessage(), e);
            }
        }
        return resolved;
    }

    private static String abbreviate(String s) {
        String q = "\"" + s + "\"";
        return q.length() <= 80 ? q : q.substring(0, 77) + "...\"";
    }
}
