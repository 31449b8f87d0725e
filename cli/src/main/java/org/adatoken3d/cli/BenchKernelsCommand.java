package org.adatoken3d.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.bench.KernelBench;
import org.adatoken3d.kernels.bench.KernelBench.AttentionResult;
import org.adatoken3d.kernels.bench.KernelBench.GemmResult;
import org.adatoken3d.kernels.bench.KernelBench.GemvResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./adatoken3d bench kernels}: GEMM, GEMV, attention and memory bandwidth at LLaVA-3D's shapes (issue 3),
 * with OpenBLAS sgemm/sgemv measured in the same run by {@code kernels/src/main/python/openblas_bench.py}.
 */
@Command(
        name = "kernels",
        mixinStandardHelpOptions = true,
        description = {"GEMM, GEMV, attention and memory bandwidth, beside OpenBLAS in the same run.", "",
                "Times the CPU kernels at LLaVA-3D shapes (prefill GEMM at M=1470, decode GEMV, attention 1470 x 32 x 128)"
                        + " and OpenBLAS sgemm/sgemv on the same shapes in the same run. Medians of repeated runs after"
                        + " warm-up; progress on stderr."})
final class BenchKernelsCommand implements Callable<Integer> {
    static final int PREFILL_TOKENS = 1470;
    static final int[][] GEMM_SHAPES = {{4096, 4096}, {11008, 4096}, {4096, 11008}};
    static final int[][] GEMV_SHAPES = {{4096, 4096}, {11008, 4096}};

    @Option(names = "--json", description = "Print one JSON document instead of the table.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", converter = Ranges.Threads.class,
            description = "Threads for our kernels and OpenBLAS, 1 to 4 per core (default: all processors).")
    Integer threads;

    @Option(names = "--quick", description = "Fewer repeats and only the 4096 x 4096 shapes.")
    boolean quick;

    @Option(names = "--repeats", paramLabel = "R", converter = Ranges.Count.class, description = "Timed runs per figure, after one warm-up run (default 5, 3 with --quick).")
    Integer repeatOption;

    @Option(names = "--no-openblas", description = "Skip the OpenBLAS comparison.")
    boolean noOpenBlas;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ModelOptions.applyThreads(threads);
        int n = Parallel.threads();
        int repeats = repeatOption != null ? repeatOption : quick ? 3 : 5;
        double[] loadBefore = loadAverage();
        try (KernelBench bench = new KernelBench(1, repeats, m -> err.println("bench: " + m))) {
            return run(bench, n, repeats, loadBefore);
        }
    }

    private int run(KernelBench bench, int n, int repeats, double[] loadBefore) throws IOException, InterruptedException {
        bench.warmUpJit();

        int[][] gemmShapes = quick ? new int[][] {GEMM_SHAPES[0]} : GEMM_SHAPES;
        int[][] gemvShapes = quick ? new int[][] {GEMV_SHAPES[0]} : GEMV_SHAPES;
        List<GemmResult> gemm = new ArrayList<>();
        for (int[] s : gemmShapes) {
            gemm.addAll(bench.gemm(List.of(WeightFormat.F32, WeightFormat.BF16), PREFILL_TOKENS, s[0], s[1]));
        }
        double bandwidth = bench.readBandwidth().median();
        List<GemvResult> gemv = new ArrayList<>();
        for (int[] s : gemvShapes) gemv.addAll(bench.gemv(List.of(WeightFormat.F32, WeightFormat.BF16, WeightFormat.Q8_0), s[0], s[1]));
        List<AttentionResult> attention = new ArrayList<>();
        attention.add(bench.attention(PREFILL_TOKENS, 32, 128, 1));
        if (!quick) attention.add(bench.attention(PREFILL_TOKENS, 32, 128, 32));
        JsonNode openblas = noOpenBlas ? error("skipped (--no-openblas)") : openBlas(n, repeats, gemmShapes, gemvShapes);
        double[] loadAfter = loadAverage();

        ObjectNode doc = report(n, loadBefore, loadAfter, gemm, gemv, bandwidth, attention, openblas);
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            printTable(doc);
        }
        return 0;
    }

    /** Runs the OpenBLAS script with the same shapes, threads and repeats; its JSON, or an "error" node. */
    private JsonNode openBlas(int threads, int repeats, int[][] gemmShapes, int[][] gemvShapes) throws IOException, InterruptedException {
        Path script = BundledFiles.folder("python", BundledFiles.cacheDir()).resolve("openblas_bench.py");
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isRegularFile(script)) return error("script not found at " + script);
        if (!Files.isExecutable(python)) return error(python + " not found (install python3-numpy and libopenblas0-pthread)");
        err.println("bench: OpenBLAS via " + script);
        ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString(), "--threads", Integer.toString(threads),
                "--m", Integer.toString(PREFILL_TOKENS), "--gemm", shapes(gemmShapes), "--gemv", shapes(gemvShapes),
                "--repeats", Integer.toString(repeats), "--working-set-mib", Long.toString(256));
        // Unset here too (the script also re-executes itself without them): they pin OpenBLAS to older kernels.
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return error("timed out");
        }
        if (p.exitValue() != 0) return error("exited with status " + p.exitValue() + " (is python3-numpy installed?)");
        try {
            return new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return error("unreadable output: " + e.getMessage());
        }
    }

    private static String shapes(int[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : shapes) sb.append(sb.isEmpty() ? "" : ",").append(s[0]).append('x').append(s[1]);
        return sb.toString();
    }

    private static ObjectNode error(String message) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("error", message);
        return n;
    }

    /** The 1-, 5- and 15-minute load averages (the machine is shared: timings depend on them), or NaN. */
    private static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static ObjectNode report(int threads, double[] loadBefore, double[] loadAfter, List<GemmResult> gemm, List<GemvResult> gemv,
                                     double bandwidth, List<AttentionResult> attention, JsonNode openblas) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode doc = om.createObjectNode();
        ObjectNode machine = doc.putObject("machine");
        machine.put("threads", threads);
        machine.put("processors", Runtime.getRuntime().availableProcessors());
        machine.put("java", Runtime.version().toString());
        machine.put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        putArray(machine.putArray("load_average_before"), loadBefore);
        putArray(machine.putArray("load_average_after"), loadAfter);
        doc.put("read_bandwidth_gbps", bandwidth / 1e9);

        ArrayNode g = doc.putArray("gemm");
        for (GemmResult r : gemm) {
            ObjectNode o = g.addObject();
            o.put("format", r.format().name());
            o.put("m", r.m());
            o.put("n", r.n());
            o.put("k", r.k());
            o.put("seconds", r.timing().median());
            putArray(o.putArray("samples"), r.timing().samples());
            o.put("gflops", r.gflops());
            gemm.stream().filter(x -> x.format() == WeightFormat.F32 && x.n() == r.n() && x.k() == r.k()).findFirst()
                    .ifPresent(f32 -> o.put("ratio_to_f32", r.gflops() / f32.gflops()));
            JsonNode ref = find(openblas.path("sgemm"), r.n(), r.k());
            if (ref != null && r.format() == WeightFormat.F32) {
                o.put("openblas_gflops", ref.path("gflops").asDouble());
                o.put("ratio_to_openblas", r.gflops() / ref.path("gflops").asDouble());
            }
        }
        ArrayNode v = doc.putArray("gemv");
        for (GemvResult r : gemv) {
            ObjectNode o = v.addObject();
            o.put("format", r.format().name());
            o.put("n", r.n());
            o.put("k", r.k());
            o.put("bytes", r.bytes());
            o.put("seconds", r.timing().median());
            putArray(o.putArray("samples"), r.timing().samples());
            o.put("gbps", r.gbPerSecond());
            o.put("read_bandwidth_gbps_same_rounds", r.readBandwidth().median() / 1e9);
            o.put("ratio_to_read_bandwidth", r.ratioToReadBandwidth());
            JsonNode ref = find(openblas.path("sgemv"), r.n(), r.k());
            if (ref != null && r.format() == WeightFormat.F32) {
                o.put("openblas_gbps", ref.path("gbps").asDouble());
                o.put("ratio_to_openblas", r.gbPerSecond() / ref.path("gbps").asDouble());
            }
        }
        ArrayNode a = doc.putArray("attention");
        for (AttentionResult r : attention) {
            ObjectNode o = a.addObject();
            o.put("tokens", r.tokens());
            o.put("heads", r.heads());
            o.put("head_dim", r.headDim());
            o.put("probe_rows", r.probeRows());
            o.put("seconds", r.plain().median());
            o.put("probed_seconds", r.probed().median());
            putArray(o.putArray("samples"), r.plain().samples());
            putArray(o.putArray("probed_samples"), r.probed().samples());
            o.put("probe_overhead_percent", r.overheadPercent());
            o.put("gflops", attentionFlops(r.tokens(), r.heads(), r.headDim()) / r.plain().median() / 1e9);
        }
        doc.set("openblas", openblas.has("openblas") ? openblas.get("openblas") : openblas);
        doc.set("targets", targets(doc));
        return doc;
    }

    /** Causal attention FLOPs: QKᵀ and PV over the n(n+1)/2 visible pairs, 2·d each. */
    static double attentionFlops(int tokens, int heads, int d) {
        return 2.0 * 2.0 * d * heads * tokens * (tokens + 1) / 2.0;
    }

    /** Issue 3's targets, each with the measured value and whether it is met. */
    private static ObjectNode targets(ObjectNode doc) {
        ObjectNode t = new ObjectMapper().createObjectNode();
        for (JsonNode g : doc.path("gemm")) {
            if (g.path("n").asInt() != 4096 || g.path("k").asInt() != 4096) continue;
            if (g.path("format").asText().equals("F32")) {
                target(t, "gemm_f32_4096_gflops_at_least_250", g.path("gflops").asDouble(), g.path("gflops").asDouble() >= 250);
                if (g.has("ratio_to_openblas")) {
                    target(t, "gemm_f32_4096_ratio_to_openblas_at_least_0.9", g.path("ratio_to_openblas").asDouble(), g.path("ratio_to_openblas").asDouble() >= 0.9);
                }
            } else if (g.path("format").asText().equals("BF16")) {
                target(t, "gemm_bf16_4096_ratio_to_f32_at_least_0.9", g.path("ratio_to_f32").asDouble(), g.path("ratio_to_f32").asDouble() >= 0.9);
            }
        }
        double worst = Double.POSITIVE_INFINITY;
        for (JsonNode v : doc.path("gemv")) worst = Math.min(worst, v.path("ratio_to_read_bandwidth").asDouble());
        target(t, "gemv_worst_ratio_to_read_bandwidth_at_least_0.8", worst, worst >= 0.8);
        JsonNode first = doc.path("attention").path(0);
        double overhead = first.path("probe_overhead_percent").asDouble();
        target(t, "probe_overhead_percent_at_most_5", overhead, overhead <= 5);
        return t;
    }

    private static void target(ObjectNode t, String name, double value, boolean met) {
        ObjectNode o = t.putObject(name);
        o.put("value", value);
        o.put("met", met);
    }

    private static JsonNode find(JsonNode list, int n, int k) {
        for (JsonNode x : list) if (x.path("n").asInt() == n && x.path("k").asInt() == k) return x;
        return null;
    }

    private static void putArray(ArrayNode a, double[] values) {
        for (double x : values) a.add(x);
    }

    private static void printTable(ObjectNode doc) {
        PrintStream o = System.out;
        JsonNode m = doc.path("machine");
        o.printf(Locale.ROOT, "adatoken3d bench kernels: %d threads of %d processors, Java %s, %d-bit vectors%n",
                m.path("threads").asInt(), m.path("processors").asInt(), m.path("java").asText(), m.path("vector_bits").asInt());
        o.printf(Locale.ROOT, "load average (1/5/15 min) before %s, after %s; medians of repeated runs%n",
                load(m.path("load_average_before")), load(m.path("load_average_after")));
        JsonNode ob = doc.path("openblas");
        if (ob.has("error")) o.println("OpenBLAS: not measured: " + ob.path("error").asText());
        else o.printf(Locale.ROOT, "OpenBLAS: core %s, %s threads (%s)%n", ob.path("corename").asText(), ob.path("threads").asText(), ob.path("config").asText());

        o.printf(Locale.ROOT, "%nGEMM  C[M x N] = A[M x K] . W^T, M = %d%n", PREFILL_TOKENS);
        o.printf(Locale.ROOT, "  %-6s %-12s %9s %9s %10s %9s %9s%n", "W", "N x K", "ms", "GFLOP/s", "vs F32", "OpenBLAS", "ours/OB");
        for (JsonNode g : doc.path("gemm")) {
            o.printf(Locale.ROOT, "  %-6s %-12s %9.1f %9.1f %10s %9s %9s%n", g.path("format").asText(), g.path("n").asInt() + " x " + g.path("k").asInt(),
                    1e3 * g.path("seconds").asDouble(), g.path("gflops").asDouble(), opt(g, "ratio_to_f32", "%.2f"),
                    opt(g, "openblas_gflops", "%.1f"), opt(g, "ratio_to_openblas", "%.2f"));
        }
        double bw = doc.path("read_bandwidth_gbps").asDouble();
        o.printf(Locale.ROOT, "%nMemory read bandwidth (streaming, %d MiB, %d threads): %.1f GB/s%n", 512, m.path("threads").asInt(), bw);
        o.printf(Locale.ROOT, "%nGEMV  y = W . x (W read from memory: copies cycled beyond the last-level cache;%n");
        o.printf(Locale.ROOT, "      compared with the streaming read timed in the same rounds)%n");
        o.printf(Locale.ROOT, "  %-6s %-12s %7s %8s %7s %9s %8s %9s %9s%n", "W", "N x K", "MiB", "us", "GB/s", "read GB/s", "of read", "OpenBLAS", "ours/OB");
        for (JsonNode v : doc.path("gemv")) {
            o.printf(Locale.ROOT, "  %-6s %-12s %7.1f %8.0f %7.1f %9.1f %8.2f %9s %9s%n", v.path("format").asText(), v.path("n").asInt() + " x " + v.path("k").asInt(),
                    v.path("bytes").asDouble() / (1 << 20), 1e6 * v.path("seconds").asDouble(), v.path("gbps").asDouble(),
                    v.path("read_bandwidth_gbps_same_rounds").asDouble(), v.path("ratio_to_read_bandwidth").asDouble(),
                    opt(v, "openblas_gbps", "%.1f"), opt(v, "ratio_to_openblas", "%.2f"));
        }
        o.printf(Locale.ROOT, "%nAttention, causal prefill (flash-style), contribution probe over the keys after a 35-token prefix%n");
        o.printf(Locale.ROOT, "  %-22s %10s %9s %12s %10s%n", "tokens x heads x dim", "plain ms", "GFLOP/s", "probe rows", "overhead");
        for (JsonNode a : doc.path("attention")) {
            o.printf(Locale.ROOT, "  %-22s %10.1f %9.1f %12d %+9.1f%%%n", a.path("tokens").asInt() + " x " + a.path("heads").asInt() + " x " + a.path("head_dim").asInt(),
                    1e3 * a.path("seconds").asDouble(), a.path("gflops").asDouble(), a.path("probe_rows").asInt(), a.path("probe_overhead_percent").asDouble());
        }
        o.printf(Locale.ROOT, "%nTargets (issue 3)%n");
        doc.path("targets").properties().forEach(e ->
                o.printf(Locale.ROOT, "  %-50s %9.3f  %s%n", e.getKey(), e.getValue().path("value").asDouble(), e.getValue().path("met").asBoolean() ? "met" : "MISSED"));
    }

    private static String opt(JsonNode n, String field, String format) {
        return n.has(field) ? String.format(Locale.ROOT, format, n.path(field).asDouble()) : "-";
    }

    private static String load(JsonNode a) {
        return String.format(Locale.ROOT, "%.2f/%.2f/%.2f", a.path(0).asDouble(), a.path(1).asDouble(), a.path(2).asDouble());
    }
}
