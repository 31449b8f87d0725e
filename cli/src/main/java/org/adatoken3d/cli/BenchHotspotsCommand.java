package org.adatoken3d.cli;

import java.nio.file.Path;
import org.adatoken3d.bench.Hotspots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "hotspots", mixinStandardHelpOptions = true,
        description = {"Where a run's CPU time went: the share of its samples by engine class and method.",
                "",
                "Reads a Java Flight Recorder file and charges each execution sample to the innermost engine method on its "
                + "stack, summed by class, which names the stage (PackedGemm: the GEMM; Attention; RmsNorm; Rope; Transpose "
                + "and *Weights: packing and weight conversion; ...).",
                "Record any command like this (add ,settings=profile after the file name to sample twice as often):",
                "  ADATOKEN3D_JAVA_OPTS=-XX:StartFlightRecording=filename=r.jfr ./adatoken3d ...",
                "Threads parked or waiting on I/O are not sampled, so the shares are of the time spent computing; per thread, "
                + "samples times the sampling period over the span is the share of the run it spent running Java, the rest it waited."})
final class BenchHotspotsCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "RUN.jfr", description = "The recording.")
    Path recording;

    @Option(names = "--top", defaultValue = "15", paramLabel = "N", converter = Ranges.Count.class,
            description = "Methods to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    public void run() {
        Hotspots.read(recording).print(System.out, top);
    }
}
