package org.adatoken3d.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Programs outside the JVM that the client tests run (node, curl): found or reported, and run with a time limit. */
final class ExternalCommands {
    private ExternalCommands() {}

    /** What a program printed (stdout and stderr together) and its exit status. */
    record Result(int exitCode, String output) {}

    /**
     * Stops the test when {@code missing} is not null: a failure under CI (env {@code CI} set), which must run it, and
     * elsewhere a skip that says why.
     */
    static void require(String test, String missing) {
        if (missing == null) return;
        if (System.getenv("CI") != null) fail("CI must run " + test + ", but " + missing);
        System.err.println(test.toUpperCase() + " DID NOT RUN: " + missing);
        Assumptions.abort(test + " did not run: " + missing);
    }

    /** {@code name} on PATH, if there. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Runs {@code command} in {@code dir} with {@code env} added, killing it after {@code limit}. */
    static Result run(List<String> command, Path dir, Map<String, String> env, Duration limit) {
        try {
            Path out = Files.createTempFile("adatoken3d-command-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    fail(String.join(" ", command) + " ran past " + limit.toSeconds() + " s; it printed:\n" + Files.readString(out));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
