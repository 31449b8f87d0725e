package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;
import org.adatoken3d.weights.AtomicFiles;

/**
 * Files that travel inside the command line's jar (the demo's trained model, the PyTorch oracle's scripts, the
 * OpenBLAS benchmark), copied out once into a folder the command line owns, so that no command needs a source
 * checkout.
 */
final class BundledFiles {
    private static final String ROOT = "/org/adatoken3d/cli/bundled/";

    private BundledFiles() {}

    /** The command line's own folder: under XDG_CACHE_HOME (or ~/.cache), never the current folder. */
    static Path cacheDir() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("adatoken3d");
    }

    /**
     * The bundled folder {@code name} (e.g. {@code spatialqa}) as a folder on disk under {@code target}, copying every
     * file that is missing there or differs in size; each file is written beside its place and renamed in, so an
     * interrupted copy is never used.
     */
    static Path folder(String name, Path target) {
        Path out = target.resolve(name);
        try {
            withResourceRoot(name, source -> {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Path dest = out.resolve(source.relativize(file).toString());
                        if (Files.isRegularFile(dest) && Files.size(dest) == Files.size(file)) continue;
                        Files.createDirectories(dest.getParent());
                        AtomicFiles.write(dest, partial -> Files.copy(file, partial, StandardCopyOption.REPLACE_EXISTING));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot copy the command line's bundled " + name + " there: " + e.getMessage(), e);
        }
        return out;
    }

    private interface Walk {
        void in(Path source) throws IOException;
    }

    private static void withResourceRoot(String name, Walk walk) throws IOException {
        URL url = BundledFiles.class.getResource(ROOT + name);
        if (url == null) throw new IllegalStateException("the build lacks the bundled " + name + " (" + ROOT + name + ")");
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url + " is not a usable resource location", e);
        }
        if (!"jar".equals(uri.getScheme())) {
            walk.in(Path.of(uri));
            return;
        }
        FileSystem jar;
        boolean opened = false;
        try {
            jar = FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException e) {
            jar = FileSystems.newFileSystem(uri, Map.of());
            opened = true;
        }
        try {
            walk.in(jar.provider().getPath(uri));
        } finally {
            if (opened) jar.close();
        }
    }
}
