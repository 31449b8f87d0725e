package org.adatoken3d.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.adatoken3d.kernels.EngineArgumentException;

/**
 * Another implementation, run as {@code COMMAND --model DIR --input IN --output OUT}. The command line is split
 * on whitespace (no shell), so {@code "./adatoken3d forward"} or {@code "python3 -m my_impl.forward"} work. A run
 * that takes longer than the timeout is killed with every process it started, and the case fails.
 */
public final class CommandImplementation implements Implementation {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final List<String> command;
    private final String text;
    private final Duration timeout;

    public CommandImplementation(String commandLine) {
        this(commandLine, DEFAULT_TIMEOUT);
    }

    public CommandImplementation(String commandLine, Duration timeout) {
        this.text = commandLine.trim();
        if (text.isEmpty()) throw new EngineArgumentException("impl", "needs a command");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new EngineArgumentException("timeout", "must be > 0 seconds, got " + timeout);
        this.command = List.of(text.split("\\s+"));
        this.timeout = timeout;
    }

    /** The implementation ran past its time and was killed. */
    public static final class TimedOut extends Exception {
        TimedOut(String message) {
            super(message);
        }
    }

    @Override
    public void forward(Path model, Path input, Path output) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("--model", model.toString(), "--input", input.toString(), "--output", output.toString()));
        // The log goes to a file, not a pipe: reading a pipe to its end would wait as long as the process hangs.
        Path log = Files.createTempFile("adatoken3d-impl", ".log");
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                throw new TimedOut("timed out after " + timeout.toSeconds() + " s ('" + text + "' and its child processes were killed)");
            }
            if (p.exitValue() != 0) {
                String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).strip();
                throw new IllegalStateException("'" + text + "' exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + last(out, 400)));
            }
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a leftover log in the temp folder is harmless
            }
        }
    }

    /** Kills {@code p} and everything it started; the descendants are listed first, before they lose their parent. */
    private static void killTree(Process p) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(10, TimeUnit.SECONDS);
    }

    private static String last(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n);
    }

    @Override
    public String describe() {
        return text;
    }
}
