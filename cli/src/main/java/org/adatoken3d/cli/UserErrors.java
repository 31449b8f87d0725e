package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.adatoken3d.weights.InvalidFileException;
import picocli.CommandLine;

/**
 * Turns the project's own errors (bad files, bad arguments, I/O) into one line on stderr and exit code 2; anything
 * else is a bug and keeps its stack trace. {@code -Dadatoken3d.debug=true} prints the trace for user errors too.
 */
final class UserErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof InvalidFileException || t instanceof IllegalArgumentException || t instanceof IOException) {
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + t.getMessage()));
            if (Boolean.getBoolean("adatoken3d.debug")) t.printStackTrace(cmd.getErr());
            return 2;
        }
        throw e;
    }
}
