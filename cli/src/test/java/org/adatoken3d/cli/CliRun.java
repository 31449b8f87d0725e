package org.adatoken3d.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A command of {@code ./adatoken3d} run in-process: its exit code and all it printed. Results go to standard
 * output through picocli's writer or System.out, both in {@code out}; {@code err} is picocli's error writer
 * (errors, token listings) alone, exact enough to compare; {@code progress} is what went to System.err, which
 * also collects whatever the JVM's agents log while classes load.
 */
record CliRun(int exit, String out, String err, String progress) {
    static CliRun of(String... args) {
        PrintStream out0 = System.out, err0 = System.err;
        ByteArrayOutputStream systemOut = new ByteArrayOutputStream(), systemErr = new ByteArrayOutputStream();
        StringWriter out = new StringWriter(), err = new StringWriter();
        try {
            System.setOut(new PrintStream(systemOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
            // The command line main() builds for these arguments.
            int exit = Main.commandLine(args).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
            return new CliRun(exit, systemOut.toString(StandardCharsets.UTF_8) + out, err.toString(), systemErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
    }

    /** Everything that went to standard error: picocli's error writer, then System.err. */
    String stderr() {
        return err + progress;
    }

    /** The last line of standard output, where {@code tokenize} and {@code generate --ids} put their ids. */
    String lastLine() {
        List<String> lines = out.lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }
}
