package org.adatoken3d.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Time to first token and FLOPs, unpruned and under each pruning policy.",
                "",
                "Time to first token and prefill FLOPs of a llava_v1 prompt with N spatial tokens (seeded random "
                + "embeddings), unpruned and under each gate policy, side by side in one run, as ratios to unpruned.",
                "On a checkpoint with fewer layers than --extrapolate-to, per-layer times measured at the full and the "
                + "kept token counts are extrapolated to that depth, and labelled so."})
final class BenchPruneCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--spatial-tokens", defaultValue = "1410", paramLabel = "N", converter = Ranges.Tokens.class, description = "Spatial tokens N (default: ${DEFAULT-VALUE}).")
    int spatialTokens;

    @Option(names = "--policies", defaultValue = "keep=0.3;fastv;random,keep=0.3;tau=0.05", split = ";",
            description = "Gate policies separated by ';' (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--question", defaultValue = "What is the colour of the chair next to the table?", paramLabel = "TEXT",
            description = "The question after the spatial tokens (default: ${DEFAULT-VALUE}).")
    String question;

    @Option(names = "--extrapolate-to", paramLabel = "LAYERS", converter = Ranges.Count.class, description = "Also report TTFT extrapolated to this many layers.")
    Integer extrapolateTo;

    @Option(names = "--runs", defaultValue = "1", paramLabel = "N", converter = Ranges.Count.class,
            description = "Timed runs per policy, in rounds over all policies after one untimed run of each; the median is used "
                    + "(default: ${DEFAULT-VALUE}).")
    int runs;

    record Row(String name, GatePolicy gate, KeepSet keep, double seconds, FlopsReport flops) {}

    @Override
    public void run() {
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            Prompt prompt = llava.prompt(randomSpatial(m, spatialTokens), question);
            int n = prompt.ids().length;
            int layers = m.config().numLayers();
            FlopsModel flopsModel = new FlopsModel(m.decoderShape());
            List<GatePolicy> gates = new ArrayList<>();
            gates.add(new GatePolicy.NoPruning());
            // A checkpoint cut to K layers still measures the keep-set (the gate reads layer K-1); its depth is then
            // restored by --extrapolate-to, so K = L is allowed here.
            for (String p : policies) gates.add(PruneSpec.parse(p.trim()).resolve(m.directory(), null, Math.max(layers, 3)));
            System.out.printf("bench prune: %d-token prompt with %d spatial tokens, %d layers, %d threads%n", n, spatialTokens, layers, Parallel.threads());
            // Every policy once untimed before any timing: the first pruned prefill of a process compiles code
            // the unpruned one never ran, and would otherwise bill that to whichever policy came first. Then
            // rounds over all policies, so drift in the machine's speed hits each alike.
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
            List<Row> rows = new ArrayList<>();
            for (int g = 0; g < gates.size(); g++) {
                GatePolicy gate = gates.get(g);
                KeepSet keep = kept[g];
                FlopsReport f = flopsModel.report(n, gate.gates() ? Math.min(gate.layer(), layers) : layers, keep, FlopsModel.Logits.LAST_TOKEN);
                rows.add(new Row(gate.gates() ? PruneSpec.format(gate) : "none", gate, keep, BenchPrefillCommand.median(seconds[g]), f));
            }
            double base = rows.getFirst().seconds();
            long baseFlops = rows.getFirst().flops().prefillBefore();
            TextTable table = new TextTable("policy", "kept", "TTFT s", "speed-up", "prefill TFLOP", "FLOPs");
            for (Row r : rows) {
                table.row(r.name(), r.keep().keptCount() + "/" + r.keep().total(), String.format("%.3f", r.seconds()),
                        String.format("%.2fx", base / r.seconds()), String.format("%.3f", r.flops().prefillAfter() / 1e12),
                        String.format("%.1f%%", 100.0 * r.flops().prefillAfter() / baseFlops));
            }
            table.print(System.out, "");
            if (extrapolateTo != null) extrapolate(llava, prompt, rows);
        }
    }

    /** One prefill (no answer tokens) under {@code gate}; the tokens it kept. */
    private static KeepSet prefill(Llava3d llava, Prompt prompt, GatePolicy gate) {
        return llava.ask(prompt, gate, GenerationOptions.exactly(0), null, null).keepSet();
    }

    /**
     * TTFT of a deeper model of the same width: K layers at the full prompt length, the rest at the pruned length,
     * each costed by a measured unpruned per-layer time at that length.
     */
    private void extrapolate(Llava3d llava, Prompt prompt, List<Row> rows) {
        Model m = llava.model();
        int layers = m.config().numLayers();
        int target = extrapolateTo;
        int n = prompt.ids().length;
        double full = layerSeconds(llava, prompt, n);
        System.out.printf("EXTRAPOLATED to %d layers from per-layer prefill times measured on this %d-layer checkpoint:%n", target, layers);
        var shape = m.decoderShape().withLayers(target);
        FlopsModel deep = new FlopsModel(shape);
        double baseSeconds = target * full;
        long baseFlops = deep.prefillFlops(deep.tokensPerLayer(n, GatePolicy.NEVER, 0), FlopsModel.Logits.LAST_TOKEN);
        TextTable table = new TextTable("policy", "kept", "TTFT s", "speed-up", "prefill TFLOP", "FLOPs");
        for (Row r : rows) {
            int k = r.gate().gates() ? Math.min(r.gate().layer(), target) : target;
            int after = n - r.keep().droppedCount();
            double seconds = k * full + (target - k) * (after == n ? full : layerSeconds(llava, prompt, after));
            long flops = deep.prefillFlops(deep.tokensPerLayer(n, k, r.keep().droppedCount()), FlopsModel.Logits.LAST_TOKEN);
            table.row(r.name(), r.keep().keptCount() + "/" + r.keep().total(), String.format("%.2f", seconds),
                    String.format("%.2fx", baseSeconds / seconds), String.format("%.3f", flops / 1e12), String.format("%.1f%%", 100.0 * flops / baseFlops));
        }
        table.print(System.out, "");
    }

    /** Mean per-layer prefill time of an unpruned prompt cut to {@code tokens} rows. */
    private static double layerSeconds(Llava3d llava, Prompt prompt, int tokens) {
        int[] ids = java.util.Arrays.copyOf(prompt.ids(), tokens);
        Prompt cut = new Prompt(ids, null, null);
        long t0 = System.nanoTime();
        prefill(llava, cut, new GatePolicy.NoPruning());
        return (System.nanoTime() - t0) / 1e9 / llava.model().config().numLayers();
    }

    /** Seeded random spatial embeddings with the scale of the model's token embeddings. */
    static SpatialTokens randomSpatial(Model m, int count) {
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
