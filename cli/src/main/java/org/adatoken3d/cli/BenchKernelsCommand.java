package org.adatoken3d.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.adatoken3d.bench.KernelBench;
import org.adatoken3d.bench.KernelReport;
import org.adatoken3d.bench.OpenBlasPeer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./adatoken3d bench kernels}: the measurements and their report are {@link KernelReport}'s. */
@Command(
        name = "kernels",
        mixinStandardHelpOptions = true,
        description = {"GEMM, GEMV, attention, thread scaling and memory bandwidth, beside OpenBLAS in the same run.", "",
                "Times the CPU kernels at LLaVA-3D shapes (prefill GEMM at M=1470, decode GEMV with F32, BF16, Q8_0 and Q4_0 weights"
                        + " against the read bandwidth of the same rounds, attention 1470 x 32 x 128, GEMM and GEMV from 1 thread to all)"
                        + " and OpenBLAS sgemm/sgemv on the same shapes in the same run, then each target of issue 17 as met or not."
                        + " Medians of repeated runs after warm-up; progress on stderr."})
final class BenchKernelsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON document instead of the table.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", converter = Ranges.Threads.class,
            description = "Threads for our kernels and OpenBLAS, 1 to 4 per core (default: all processors); thread scaling runs 1 to N.")
    Integer threads;

    @Option(names = "--quick", description = "Fewer repeats and only the 4096 x 4096 shapes.")
    boolean quick;

    @Option(names = "--repeats", paramLabel = "R", converter = Ranges.Count.class, description = "Timed runs per figure, after one warm-up run (default 5, 3 with --quick).")
    Integer repeatOption;

    @Option(names = "--no-openblas", description = "Skip the OpenBLAS comparison.")
    boolean noOpenBlas;

    @Override
    public Integer call() throws IOException {
        ModelOptions.applyThreads(threads);
        int repeats = repeatOption != null ? repeatOption : quick ? 3 : 5;
        OpenBlasPeer openBlas = noOpenBlas ? null : new OpenBlasPeer(BundledFiles.folder("python", BundledFiles.cacheDir()).resolve("openblas_bench.py"));
        ObjectNode doc;
        try (KernelBench bench = new KernelBench(1, repeats, m -> Progress.say("bench: %s", m))) {
            doc = KernelReport.measure(bench, new KernelReport.Plan(quick, repeats, openBlas, "skipped (--no-openblas)"));
        }
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            KernelReport.printTable(doc, System.out);
        }
        return 0;
    }
}
