package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.weights.InvalidFileException;
import picocli.CommandLine;

/**
 * Turns the project's own errors (bad files, values the engine refuses, I/O) into one line on stderr and exit code 2,
 * naming the command-line option behind an engine parameter; anything else is a bug and keeps its stack trace.
 * {@code -Dadatoken3d.debug=true} prints the trace for user errors too.
 */
final class UserErrors implements CommandLine.IExecutionExceptionHandler {
    /** Engine parameter names to the options that set them. */
    static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("device", "--device"),
            Map.entry("threads", "--threads"),
            Map.entry("storage", "--q8/--q4"),
            Map.entry("ropeStyle", "--rope-style"),
            Map.entry("kvBudgetBytes", "--kv-budget"),
            Map.entry("temperature", "--temperature"),
            Map.entry("topK", "--top-k"),
            Map.entry("topP", "--top-p"),
            Map.entry("repetitionPenalty", "--repetition-penalty"),
            Map.entry("maxTokens", "--max-tokens"),
            Map.entry("prune", "--prune"),
            Map.entry("profile", "--profile"),
            Map.entry("query", "--query"),
            Map.entry("question", "--question"),
            Map.entry("views", "--views"),
            Map.entry("depthScale", "--depth-scale"),
            Map.entry("layers", "--layers"),
            Map.entry("shape", "--shape"),
            Map.entry("dtype", "--dtype"),
            Map.entry("limit", "--limit"),
            Map.entry("out", "--out"),
            Map.entry("policies", "--policies"),
            Map.entry("scenesRoot", "--scenes-root"),
            Map.entry("partitions", "--partitions"),
            Map.entry("impl", "--impl"),
            Map.entry("targetFlops", "--target-flops"),
            Map.entry("targetAgreement", "--target-agreement"));

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        String message;
        if (t instanceof EngineArgumentException a) {
            message = OPTIONS.getOrDefault(a.parameter(), a.parameter()) + " " + a.problem();
        } else if (t instanceof InvalidFileException || t instanceof IOException || t instanceof UserException || t instanceof org.adatoken3d.model.NumericalFailure
                || t instanceof org.adatoken3d.bench.PeerException) {
            message = e instanceof UncheckedIOException u && u.getMessage() != null && !(t instanceof InvalidFileException)
                    ? u.getMessage() : t.getMessage();
        } else {
            throw e;
        }
        cmd.getErr().println(cmd.getColorScheme().errorText("error: " + plain(message)));
        if (Boolean.getBoolean("adatoken3d.debug")) t.printStackTrace(cmd.getErr());
        return 2;
    }

    /** Jackson's location of a parse error without its note on a feature it disabled, which means nothing to a user. */
    private static final Pattern JACKSON_SOURCE = Pattern.compile("\\[Source: REDACTED \\(`[A-Za-z_.]+` disabled\\); line: (\\d+), column: (\\d+)]");

    /** A message on one line, as users read it. */
    static String plain(String message) {
        String m = message == null ? "(no message)" : JACKSON_SOURCE.matcher(message).replaceAll("line $1, column $2");
        return m.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
