package org.adatoken3d.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.adatoken3d.bench.KernelBench.Timing;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;

/**
 * {@code bench prune}: time to first token and prefill FLOPs of a {@code llava_v1} prompt with N spatial tokens
 * (seeded random embeddings), unpruned and under each gate policy, in rounds over all policies; on a checkpoint cut
 * to fewer layers, optionally extrapolated to a full depth from per-layer times measured at the full and kept token
 * counts.
 */
public final class PruneBench {
    public record Row(String name, GatePolicy gate, KeepSet keep, Timing seconds, FlopsReport flops) {}

    private PruneBench() {}

    /** The policies in {@code specs} after unpruned (the first row), each timed {@code runs} times. */
    public static List<Row> run(Llava3d llava, Prompt prompt, List<String> specs, int runs) {
        Model m = llava.model();
        int layers = m.config().numLayers();
        List<GatePolicy> gates = new ArrayList<>();
        gates.add(new GatePolicy.NoPruning());
        // A checkpoint cut to K layers still measures the keep-set (the gate reads layer K-1); its depth is then
        // restored by extrapolation, so K = L is allowed here.
        for (String p : specs) gates.add(PruneSpec.parse(p.trim()).resolve(m.directory(), null, Math.max(layers, 3)));
        // Every policy once untimed before any timing: the first pruned prefill of a process compiles code the
        // unpruned one never ran, and would otherwise bill that to whichever policy came first. Then rounds over all
        // policies, so drift in the machine's speed hits each alike.
        for (GatePolicy gate : gates) prefill(llava, prompt, gate);
        double[][] seconds = new double[gates.size()][runs];
        KeepSet[] kept = new KeepSet[gates.size()];
        for (int r = 0; r < runs; r++) {
            for (int g = 0; g < gates.size(); g++) {
                long t0 = System.nanoTime();
                kept[g] = prefill(llava, prompt, gates.get(g));
                seconds[g][r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        FlopsModel flopsModel = new FlopsModel(m.decoderShape());
        int n = prompt.ids().length;
        List<Row> rows = new ArrayList<>();
        for (int g = 0; g < gates.size(); g++) {
            GatePolicy gate = gates.get(g);
            FlopsReport f = flopsModel.report(n, gate.gates() ? Math.min(gate.layer(), layers) : layers, kept[g], FlopsModel.Logits.LAST_TOKEN);
            rows.add(new Row(gate.gates() ? PruneSpec.format(gate) : "none", gate, kept[g], Timing.of(seconds[g]), f));
        }
        return rows;
    }

    public static void print(Llava3d llava, Prompt prompt, int spatialTokens, List<Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "bench prune: %d-token prompt with %d spatial tokens, %d layers, %d threads%n", prompt.ids().length, spatialTokens,
                llava.model().config().numLayers(), Parallel.threads());
        double base = rows.getFirst().seconds().median();
        long baseFlops = rows.getFirst().flops().prefillBefore();
        TextTable table = new TextTable("policy", "kept", "TTFT s", "speed-up", "prefill TFLOP", "FLOPs");
        for (Row r : rows) {
            table.row(r.name(), r.keep().keptCount() + "/" + r.keep().total(), String.format(Locale.ROOT, "%.3f", r.seconds().median()),
                    String.format(Locale.ROOT, "%.2fx", base / r.seconds().median()), String.format(Locale.ROOT, "%.3f", r.flops().prefillAfter() / 1e12),
                    String.format(Locale.ROOT, "%.1f%%", 100.0 * r.flops().prefillAfter() / baseFlops));
        }
        table.print(out, "");
    }

    /** One prefill (no answer tokens) under {@code gate}; the tokens it kept. */
    private static KeepSet prefill(Llava3d llava, Prompt prompt, GatePolicy gate) {
        return llava.ask(prompt, gate, GenerationOptions.exactly(0), null, null).keepSet();
    }

    /**
     * TTFT of a deeper model of the same width: K layers at the full prompt length, the rest at the pruned length,
     * each costed by a measured unpruned per-layer time at that length; printed, and labelled as extrapolated.
     */
    public static void extrapolate(Llava3d llava, Prompt prompt, List<Row> rows, int target, PrintStream out) {
        Model m = llava.model();
        int layers = m.config().numLayers();
        int n = prompt.ids().length;
        double full = layerSeconds(llava, prompt, n);
        out.printf(Locale.ROOT, "EXTRAPOLATED to %d layers from per-layer prefill times measured on this %d-layer checkpoint:%n", target, layers);
        FlopsModel deep = new FlopsModel(m.decoderShape().withLayers(target));
        double baseSeconds = target * full;
        long baseFlops = deep.prefillFlops(deep.tokensPerLayer(n, GatePolicy.NEVER, 0), FlopsModel.Logits.LAST_TOKEN);
        TextTable table = new TextTable("policy", "kept", "TTFT s", "speed-up", "prefill TFLOP", "FLOPs");
        for (Row r : rows) {
            int k = r.gate().gates() ? Math.min(r.gate().layer(), target) : target;
            int after = n - r.keep().droppedCount();
            double seconds = k * full + (target - k) * (after == n ? full : layerSeconds(llava, prompt, after));
            long flops = deep.prefillFlops(deep.tokensPerLayer(n, k, r.keep().droppedCount()), FlopsModel.Logits.LAST_TOKEN);
            table.row(r.name(), r.keep().keptCount() + "/" + r.keep().total(), String.format(Locale.ROOT, "%.2f", seconds),
                    String.format(Locale.ROOT, "%.2fx", baseSeconds / seconds), String.format(Locale.ROOT, "%.3f", flops / 1e12),
                    String.format(Locale.ROOT, "%.1f%%", 100.0 * flops / baseFlops));
        }
        table.print(out, "");
    }

    /** Mean per-layer prefill time of an unpruned prompt cut to {@code tokens} rows. */
    private static double layerSeconds(Llava3d llava, Prompt prompt, int tokens) {
        Prompt cut = new Prompt(Arrays.copyOf(prompt.ids(), tokens), null, null);
        long t0 = System.nanoTime();
        prefill(llava, cut, new GatePolicy.NoPruning());
        return (System.nanoTime() - t0) / 1e9 / llava.model().config().numLayers();
    }

    /** Seeded random spatial embeddings with the scale of the model's token embeddings. */
    public static SpatialTokens randomSpatial(Model m, int count) {
        int hidden = m.config().hiddenSize();
        float[] row = new float[hidden];
        m.decoder().weights().embedTokens().row(1, row, 0);
        double ss = 0;
        for (float v : row) ss += v * v;
        double scale = Math.sqrt(ss / hidden);
        SplittableRandom r = new SplittableRandom(11);
        float[] embeds = new float[Math.multiplyExact(count, hidden)];
        for (int i = 0; i < embeds.length; i++) embeds[i] = (float) (r.nextGaussian() * scale);
        return new SpatialTokens(count, embeds, null);
    }
}
