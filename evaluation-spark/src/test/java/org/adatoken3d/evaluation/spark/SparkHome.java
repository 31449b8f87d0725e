package org.adatoken3d.evaluation.spark;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spark home made from this JVM's class path, as local-cluster mode needs one to start executor JVMs: {@code jars/}
 * (links to every jar here, Spark's included) and a {@code RELEASE} file (without it Spark's launcher looks for a
 * source build's jars instead). Class folders (this module's and the reactor's {@code target/classes}) cannot go in
 * {@code jars/}; {@link #classFolders} gives them for {@code spark.executor.extraClassPath}.
 */
final class SparkHome {
    private SparkHome() {}

    static Path assemble(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : classPath()) {
            Path p = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(p)) continue;
            Path link = jars.resolve(p.getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, p.toAbsolutePath());
        }
        Files.writeString(home.resolve("RELEASE"), "Spark 4.2.0 (assembled from the Maven class path for tests)\n");
        return home;
    }

    static String classFolders() {
        List<String> dirs = new ArrayList<>();
        for (String entry : classPath()) if (Files.isDirectory(Path.of(entry))) dirs.add(Path.of(entry).toAbsolutePath().toString());
        return String.join(File.pathSeparator, dirs);
    }

    private static List<String> classPath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    }
}
