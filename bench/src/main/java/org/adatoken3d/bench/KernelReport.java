package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import org.adatoken3d.bench.KernelBench.AttentionResult;
import org.adatoken3d.bench.KernelBench.GemmResult;
import org.adatoken3d.bench.KernelBench.GemmRound;
import org.adatoken3d.bench.KernelBench.GemvResult;
import org.adatoken3d.bench.KernelBench.ScalingPoint;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.WeightFormat;

/**
 * {@code bench kernels} as one document: GEMM, GEMV (F32, BF16, Q8_0, Q4_0 from memory, against the read bandwidth
 * of the same rounds), attention with and without the contribution probe, thread scaling, OpenBLAS in the same run,
 * and issue 17's targets (with issue 3's probe overhead) each as met or not beside its figure. {@link #measure} runs
 * it; {@link #printTable} shows the document as a reader wants it.
 */
public final class KernelReport {
    public static final int PREFILL_TOKENS = 1470;
    static final int[][] GEMM_SHAPES = {{4096, 4096}, {11008, 4096}, {4096, 11008}};
    static final int[][] GEMV_SHAPES = {{4096, 4096}, {11008, 4096}};
    static final List<WeightFormat> GEMV_FORMATS = List.of(WeightFormat.F32, WeightFormat.BF16, WeightFormat.Q8_0, WeightFormat.Q4_0);

    /**
     * What to measure.
     *
     * @param quick only the 4096 x 4096 shapes and one attention probe
     * @param repeats timed runs of each figure
     * @param openBlas the OpenBLAS peer, or null to skip it ({@code skipped} says why in the document)
     */
    public record Plan(boolean quick, int repeats, OpenBlasPeer openBlas, String skipped) {}

    private KernelReport() {}

    /** Runs every measurement of {@code plan} on {@link Parallel#threads()} threads. */
    public static ObjectNode measure(KernelBench bench, Plan plan) {
        int threads = Parallel.threads();
        double[] loadBefore = loadAverage();
        bench.warmUpJit();
        int[][] gemmShapes = plan.quick() ? new int[][] {GEMM_SHAPES[0]} : GEMM_SHAPES;
        int[][] gemvShapes = plan.quick() ? new int[][] {GEMV_SHAPES[0]} : GEMV_SHAPES;
        List<GemmResult> gemm = new ArrayList<>();
        ArrayNode sgemm = new ObjectMapper().createArrayNode();
        JsonNode peerInfo = null;
        String peerError = plan.openBlas() == null ? plan.skipped() : null;
        OpenBlasSession peer = null;
        try {
            if (plan.openBlas() != null) {
                try {
                    peer = plan.openBlas().session(threads);
                    peerInfo = peer.info().path("openblas");
                } catch (PeerException e) {
                    peerError = e.getMessage();
                }
            }
            for (int[] s : gemmShapes) {
                GemmRound round;
                try {
                    round = bench.gemm(List.of(WeightFormat.F32, WeightFormat.BF16), PREFILL_TOKENS, s[0], s[1], peer);
                } catch (PeerException e) {
                    peerError = e.getMessage();
                    peer.close();
                    peer = null;
                    round = bench.gemm(List.of(WeightFormat.F32, WeightFormat.BF16), PREFILL_TOKENS, s[0], s[1], null);
                }
                gemm.addAll(round.ours());
                if (round.openBlas() != null) putSgemm(sgemm.addObject(), PREFILL_TOKENS, s[0], s[1], round.openBlas());
            }
        } finally {
            if (peer != null) peer.close();
        }
        double bandwidth = bench.readBandwidth().median();
        List<GemvResult> gemv = new ArrayList<>();
        for (int[] s : gemvShapes) gemv.addAll(bench.gemv(GEMV_FORMATS, s[0], s[1]));
        List<AttentionResult> attention = new ArrayList<>();
        attention.add(bench.attention(PREFILL_TOKENS, 32, 128, 1));
        if (!plan.quick()) attention.add(bench.attention(PREFILL_TOKENS, 32, 128, 32));
        List<ScalingPoint> scaling = bench.threadScaling(threads, PREFILL_TOKENS, GEMM_SHAPES[0][0], GEMM_SHAPES[0][1]);
        JsonNode openblas = peerError != null ? OpenBlasPeer.error(peerError)
                : withSgemm(plan.openBlas().measure(threads, PREFILL_TOKENS, new int[0][], gemvShapes, plan.repeats()), peerInfo, sgemm);
        return document(threads, loadBefore, loadAverage(), gemm, gemv, bandwidth, attention, scaling, openblas);
    }

    private static void putSgemm(ObjectNode o, int m, int n, int k, KernelBench.Timing t) {
        o.put("m", m);
        o.put("n", n);
        o.put("k", k);
        o.put("seconds", t.median());
        putArray(o.putArray("samples"), t.samples());
        o.put("gflops", 2.0 * m * n * k / t.median() / 1e9);
        o.put("timed_in_our_rounds", true);
    }

    /** The one-shot peer's GEMV document with the sgemm timed in our rounds put in; its error stays as it is. */
    private static JsonNode withSgemm(JsonNode gemvPeer, JsonNode info, ArrayNode sgemm) {
        if (gemvPeer.has("error") || !(gemvPeer instanceof ObjectNode o)) return gemvPeer;
        o.set("sgemm", sgemm);
        if (info != null && !info.isMissingNode()) o.set("openblas", info);
        return o;
    }

    /** The 1-, 5- and 15-minute load averages (the machine may be shared: timings depend on them), or NaN. */
    static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static ObjectNode document(int threads, double[] loadBefore, double[] loadAfter, List<GemmResult> gemm, List<GemvResult> gemv,
                                       double bandwidth, List<AttentionResult> attention, List<ScalingPoint> scaling, JsonNode openblas) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode doc = om.createObjectNode();
        ObjectNode machine = doc.putObject("machine");
        machine.put("cpu", CpuName.get());
        machine.put("kernels", Gemm.machineDescription());
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
                o.put("openblas_in_same_rounds", ref.path("timed_in_our_rounds").asBoolean());
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
            gemv.stream().filter(x -> x.format() == WeightFormat.BF16 && x.n() == r.n() && x.k() == r.k()).findFirst()
                    .ifPresent(bf16 -> o.put("speedup_over_bf16", bf16.timing().median() / r.timing().median()));
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
        ArrayNode s = doc.putArray("thread_scaling");
        for (ScalingPoint p : scaling) {
            ObjectNode o = s.addObject();
            o.put("threads", p.threads());
            o.put("gemm_f32_gflops", p.gemmGflops());
            o.put("gemv_bf16_gbps", p.gemvGbps());
            o.put("read_gbps", p.readGbps());
            o.put("gemm_speedup_over_one_thread", p.gemmGflops() / scaling.getFirst().gemmGflops());
        }
        doc.set("openblas", openblas.has("openblas") ? openblas.get("openblas") : openblas);
        doc.set("targets", targets(doc));
        return doc;
    }

    /** Causal attention FLOPs: QKᵀ and PV over the n(n+1)/2 visible pairs, 2·d each. */
    public static double attentionFlops(int tokens, int heads, int d) {
        return 2.0 * 2.0 * d * heads * tokens * (tokens + 1) / 2.0;
    }

    /**
     * Issue 17's kernel targets, each with the measured value and whether it is met: F32 GEMM at least 0.95 of
     * OpenBLAS (its worst shape), BF16 and Q8_0 GEMV at least 0.85 of the read bandwidth of the same rounds (each
     * format's worst shape), attention at least 0.6 of the F32 GEMM's GFLOP/s at 4096 x 4096; and issue 3's probe
     * overhead of at most 5%.
     */
    static ObjectNode targets(ObjectNode doc) {
        ObjectNode t = new ObjectMapper().createObjectNode();
        double worstOpenBlas = Double.POSITIVE_INFINITY, gemm4096 = Double.NaN;
        for (JsonNode g : doc.path("gemm")) {
            if (!g.path("format").asText().equals("F32")) continue;
            if (g.has("ratio_to_openblas")) worstOpenBlas = Math.min(worstOpenBlas, g.path("ratio_to_openblas").asDouble());
            if (g.path("n").asInt() == 4096 && g.path("k").asInt() == 4096) gemm4096 = g.path("gflops").asDouble();
        }
        if (Double.isFinite(worstOpenBlas)) target(t, "issue 17: GEMM F32 / OpenBLAS sgemm, worst shape", ">= 0.95", worstOpenBlas, worstOpenBlas >= 0.95);
        for (String format : List.of("BF16", "Q8_0")) {
            double worst = Double.POSITIVE_INFINITY;
            for (JsonNode v : doc.path("gemv")) {
                if (v.path("format").asText().equals(format)) worst = Math.min(worst, v.path("ratio_to_read_bandwidth").asDouble());
            }
            target(t, "issue 17: GEMV " + format + " / read bandwidth, worst shape", ">= 0.85", worst, worst >= 0.85);
        }
        JsonNode first = doc.path("attention").path(0);
        double attention = first.path("gflops").asDouble() / gemm4096;
        target(t, "issue 17: attention GFLOP/s / GEMM F32 4096 GFLOP/s", ">= 0.6", attention, attention >= 0.6);
        double overhead = first.path("probe_overhead_percent").asDouble();
        target(t, "issue 3: contribution probe overhead, % of attention", "<= 5", overhead, overhead <= 5);
        return t;
    }

    private static void target(ObjectNode t, String name, String bound, double value, boolean met) {
        ObjectNode o = t.putObject(name);
        o.put("target", bound);
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

    public static void printTable(ObjectNode doc, PrintStream o) {
        JsonNode m = doc.path("machine");
        o.printf(Locale.ROOT, "adatoken3d bench kernels: %s; %d threads of %d processors, Java %s%n", m.path("cpu").asText(),
                m.path("threads").asInt(), m.path("processors").asInt(), m.path("java").asText());
        o.printf(Locale.ROOT, "kernels: %s%n", m.path("kernels").asText());
        o.printf(Locale.ROOT, "load average (1/5/15 min) before %s, after %s; medians of repeated runs%n",
                load(m.path("load_average_before")), load(m.path("load_average_after")));
        JsonNode ob = doc.path("openblas");
        if (ob.has("error")) o.println("OpenBLAS: not measured: " + ob.path("error").asText());
        else o.printf(Locale.ROOT, "OpenBLAS: core %s, %s threads (%s)%n", ob.path("corename").asText(), ob.path("threads").asText(), ob.path("config").asText());

        o.printf(Locale.ROOT, "%nGEMM  C[M x N] = A[M x K] . W^T, M = %d%s%n", PREFILL_TOKENS,
                doc.path("gemm").path(0).path("openblas_in_same_rounds").asBoolean() ? "; OpenBLAS's sgemm runs between ours in every round" : "");
        o.printf(Locale.ROOT, "  %-6s %-12s %9s %9s %10s %9s %9s%n", "W", "N x K", "ms", "GFLOP/s", "vs F32", "OpenBLAS", "ours/OB");
        for (JsonNode g : doc.path("gemm")) {
            o.printf(Locale.ROOT, "  %-6s %-12s %9.1f %9.1f %10s %9s %9s%n", g.path("format").asText(), g.path("n").asInt() + " x " + g.path("k").asInt(),
                    1e3 * g.path("seconds").asDouble(), g.path("gflops").asDouble(), opt(g, "ratio_to_f32", "%.2f"),
                    opt(g, "openblas_gflops", "%.1f"), opt(g, "ratio_to_openblas", "%.2f"));
        }
        double bw = doc.path("read_bandwidth_gbps").asDouble();
        o.printf(Locale.ROOT, "%nMemory read bandwidth (streaming, %d MiB, %d threads): %.1f GB/s%n", KernelBench.BANDWIDTH_BUFFER >> 20,
                m.path("threads").asInt(), bw);
        o.printf(Locale.ROOT, "%nGEMV  y = W . x (W read from memory: copies cycled beyond the last-level cache;%n");
        o.printf(Locale.ROOT, "      compared with the streaming read timed in the same rounds; Q8_0 and Q4_0 quantised from F32)%n");
        o.printf(Locale.ROOT, "  %-6s %-12s %7s %8s %7s %9s %8s %8s %9s %9s%n", "W", "N x K", "MiB", "us", "GB/s", "read GB/s", "of read",
                "vs BF16", "OpenBLAS", "ours/OB");
        for (JsonNode v : doc.path("gemv")) {
            o.printf(Locale.ROOT, "  %-6s %-12s %7.1f %8.0f %7.1f %9.1f %8.2f %8s %9s %9s%n", v.path("format").asText(),
                    v.path("n").asInt() + " x " + v.path("k").asInt(), v.path("bytes").asDouble() / (1 << 20), 1e6 * v.path("seconds").asDouble(),
                    v.path("gbps").asDouble(), v.path("read_bandwidth_gbps_same_rounds").asDouble(), v.path("ratio_to_read_bandwidth").asDouble(),
                    opt(v, "speedup_over_bf16", "%.2fx"), opt(v, "openblas_gbps", "%.1f"), opt(v, "ratio_to_openblas", "%.2f"));
        }
        o.printf(Locale.ROOT, "  (vs BF16: time of a BF16 GEMV over this one's, the same shape)%n");
        o.printf(Locale.ROOT, "%nAttention, causal prefill (flash-style), contribution probe over the keys after a 35-token prefix%n");
        o.printf(Locale.ROOT, "  %-22s %10s %9s %12s %10s%n", "tokens x heads x dim", "plain ms", "GFLOP/s", "probe rows", "overhead");
        for (JsonNode a : doc.path("attention")) {
            o.printf(Locale.ROOT, "  %-22s %10.1f %9.1f %12d %+9.1f%%%n", a.path("tokens").asInt() + " x " + a.path("heads").asInt() + " x " + a.path("head_dim").asInt(),
                    1e3 * a.path("seconds").asDouble(), a.path("gflops").asDouble(), a.path("probe_rows").asInt(), a.path("probe_overhead_percent").asDouble());
        }
        o.printf(Locale.ROOT, "%nThread scaling: GEMM F32 %d x 4096 x 4096, GEMV BF16 4096 x 4096 from memory, streaming read; same rounds%n",
                PREFILL_TOKENS);
        o.printf(Locale.ROOT, "  %-8s %12s %10s %12s %10s%n", "threads", "GEMM GFLOP/s", "vs 1", "GEMV GB/s", "read GB/s");
        for (JsonNode p : doc.path("thread_scaling")) {
            o.printf(Locale.ROOT, "  %-8d %12.1f %9.2fx %12.1f %10.1f%n", p.path("threads").asInt(), p.path("gemm_f32_gflops").asDouble(),
                    p.path("gemm_speedup_over_one_thread").asDouble(), p.path("gemv_bf16_gbps").asDouble(), p.path("read_gbps").asDouble());
        }
        o.printf(Locale.ROOT, "%nTargets%n");
        doc.path("targets").properties().forEach(e -> o.printf(Locale.ROOT, "  %-56s %9.3f  %-7s %s%n", e.getKey(),
                e.getValue().path("value").asDouble(), e.getValue().path("target").asText(), e.getValue().path("met").asBoolean() ? "met" : "NOT MET"));
    }

    private static String opt(JsonNode n, String field, String format) {
        return n.has(field) ? String.format(Locale.ROOT, format, n.path(field).asDouble()) : "-";
    }

    private static String load(JsonNode a) {
        return String.format(Locale.ROOT, "%.2f/%.2f/%.2f", a.path(0).asDouble(), a.path(1).asDouble(), a.path(2).asDouble());
    }
}
