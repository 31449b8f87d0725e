package org.adatoken3d.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Scene files stay inside the scenes folder: a scene and every symbolic link inside it must resolve to a path under
 * the folder's real path, so a link planted in a scene cannot make the server read {@code /etc} or a neighbour's data.
 */
final class Confinement {
    /** Most entries a scene folder is walked for; a folder larger than any scene export is refused. */
    static final int MAX_ENTRIES = 100_000;

    private Confinement() {}

    /** The real path of {@code scene}, or 404 when it or a link inside it leads out of {@code rootReal}. */
    static Path check(Path rootReal, Path scene) {
        Path real = realInside(rootReal, scene);
        if (Files.isDirectory(real)) {
            try (Stream<Path> walk = Files.walk(real)) {
                int seen = 0;
                for (Iterator<Path> it = walk.iterator(); it.hasNext(); ) {
                    Path p = it.next();
                    if (++seen > MAX_ENTRIES) throw outside(scene, "holds more than " + MAX_ENTRIES + " entries");
                    if (Files.isSymbolicLink(p)) realInside(rootReal, p);
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                throw outside(scene, "cannot be listed");
            }
        }
        return real;
    }

    private static Path realInside(Path rootReal, Path p) {
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            throw outside(p, "does not resolve to an existing file");
        }
        if (!real.startsWith(rootReal)) throw outside(p, "resolves outside the scenes folder");
        return real;
    }

    private static ApiException outside(Path p, String problem) {
        return ApiException.notFound("scene", "scene_not_found", "scene file '" + p.getFileName() + "' " + problem);
    }
}
