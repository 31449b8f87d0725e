package org.adatoken3d.conformance;

import org.adatoken3d.kernels.EngineArgumentException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another implementation, run as {@code COMMAND --model DIR --input IN --output OUT}. The command line is split
 * on whitespace (no shell), so {@code "./adatoken3d forward"} or {@code "python3 -m my_impl.forward"} work.
 */
public final class CommandImplementation implements Implementation {
    private final List<String> command;
    private final String text;

    public CommandImplementation(String commandLine) {
        this.text = commandLine.trim();
        if (text.isEmpty()) throw new EngineArgumentException("impl", "needs a command");
        this.command = List.of(text.split("\\s+"));
    }

    @Override
    public void forward(Path model, Path input, Path output) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("--model", model.toString(), "--input", input.toString(), "--output", output.toString()));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        byte[] log = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("'" + text + "' did not finish in 10 minutes");
        }
        if (p.exitValue() != 0) {
            String out = new String(log, StandardCharsets.UTF_8).strip();
            throw new IllegalStateException("'" + text + "' exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + last(out, 400)));
        }
    }

    private static String last(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n);
    }

    @Override
    public String describe() {
        return text;
    }
}
