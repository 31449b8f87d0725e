package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Shutdown} in a JVM of its own whose stop takes a minute, as a drain waiting for a long request does: a second
 * signal during that stop must end the process at once with the signal's code, and the stop must not be run again.
 */
class ShutdownTest {
    @TempDir Path tmp;

    @Test
    void aSecondSigtermDuringTheStopEndsTheProcessAtOnceWith143() throws Exception {
        assertSecondSignalHalts(List.of(), 143);
    }

    @Test
    void aSigintDuringAStopStartedBySigtermEndsTheProcessAtOnceWith130() throws Exception {
        assertSecondSignalHalts(List.of("kill", "-INT"), 130);
    }

    /** Starts {@link SlowStop}, sends SIGTERM, waits for its stop to begin, then sends the second signal. */
    private void assertSecondSignalHalts(List<String> secondSignal, int expectedExit) throws Exception {
        Path log = tmp.resolve("slow-stop.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SlowStop.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitLine(child, log, "ready");
            child.destroy(); // SIGTERM
            awaitLine(child, log, "stopping");
            long sent = System.nanoTime();
            if (secondSignal.isEmpty()) {
                child.destroy();
            } else {
                List<String> kill = new ArrayList<>(secondSignal);
                kill.add(Long.toString(child.pid()));
                assertEquals(0, new ProcessBuilder(kill).inheritIO().start().waitFor());
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), () -> "the second signal did not end the process:\n" + read(log));
            double seconds = (System.nanoTime() - sent) / 1e9;
            String printed = read(log);
            assertEquals(expectedExit, child.exitValue(), printed);
            assertFalse(printed.contains("stopped"), () -> "the slow stop ran to its end, " + seconds + " s:\n" + printed);
            assertEquals(1, printed.split("stopping", -1).length - 1, () -> "the stop ran more than once:\n" + printed);
        } finally {
            child.destroyForcibly();
        }
    }

    private static void awaitLine(Process child, Path log, String line) throws Exception {
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < end; Thread.sleep(20)) {
            if (read(log).lines().anyMatch(line::equals)) return;
            assertTrue(child.isAlive(), () -> "the process ended before printing \"" + line + "\":\n" + read(log));
        }
        throw new AssertionError("no \"" + line + "\" within 60 s:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** A command whose clean stop takes a minute. */
    static final class SlowStop {
        public static void main(String[] args) {
            Shutdown shutdown = new Shutdown(() -> {
                System.out.println("stopping");
                System.out.flush();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("stopped");
            });
            System.out.println("ready");
            System.out.flush();
            shutdown.awaitSignal();
        }
    }
}
