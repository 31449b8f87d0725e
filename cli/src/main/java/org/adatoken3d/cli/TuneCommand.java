package org.adatoken3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.adatoken3d.kernels.GemmTuning;
import org.adatoken3d.weights.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Measure the GEMM's tile and cache-block plans on this machine and keep the fastest.",
                "",
                "Times each candidate plan (tile rows, block depth kc, panels per block; the plan derived from the "
                + "registers and cache sizes among them) on a prefill-shaped GEMM in interleaved rounds, prints their "
                + "GFLOP/s, and writes the fastest to the wisdom file under this CPU model and vector width. Every later "
                + "process on a machine of that model reads it at start; -Dadatoken3d.gemm=... still overrides it. "
                + "Takes about 20 s on two cores; run it on a quiet machine."})
final class TuneCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--wisdom", paramLabel = "FILE",
            description = "Wisdom file to update (default: -Dadatoken3d.wisdom, else $XDG_CONFIG_HOME/adatoken3d/wisdom.properties, "
                    + "else ~/.config/adatoken3d/wisdom.properties). Other machines' entries in it are kept.")
    Path wisdom;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path file = wisdom != null ? wisdom : GemmTuning.wisdomFile();
        out.println("adatoken3d tune: plan in use now " + GemmTuning.currentPlan());
        out.flush();
        GemmTuning.Result r;
        try {
            GemmTuning.requireWritable(file);
            r = GemmTuning.tune(msg -> System.err.println("tune: " + msg));
            AtomicFiles.write(file, GemmTuning.wisdomWith(file, r).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UserException(file + ": could not write the wisdom file: " + reason(e));
        }
        double derived = r.timings().stream().filter(GemmTuning.Timing::derived).findFirst().orElseThrow().gflops();
        out.println("GEMM F32, 1470 x 2048 x 4096, median of 3 interleaved rounds (" + r.machine() + ")");
        out.printf("  %-26s %9s %10s%n", "plan", "GFLOP/s", "vs derived");
        for (GemmTuning.Timing t : r.timings()) {
            String note = t.derived() && t == r.best() ? "  (derived, fastest)" : t.derived() ? "  (derived)" : t == r.best() ? "  <- fastest" : "";
            out.printf("  %-26s %9.1f %9.2fx%s%n", t.plan(), t.gflops(), t.gflops() / derived, note);
        }
        out.println("wrote " + r.best().plan() + " for \"" + r.machine() + "\" to " + file + "; later processes use it");
        out.flush();
        return 0;
    }

    /** The file system's reason in words, with the path it concerns where that is not the wisdom file itself. */
    private static String reason(IOException e) {
        if (!(e instanceof FileSystemException f)) return e.getMessage();
        String why = f instanceof AccessDeniedException ? "permission denied"
                : f instanceof NoSuchFileException ? "no such file or folder"
                : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
        return f.getFile() != null ? f.getFile() + ": " + why : why;
    }
}
