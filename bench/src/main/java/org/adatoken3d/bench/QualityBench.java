package org.adatoken3d.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.adatoken3d.evaluation.calibration.Fidelity;
import org.adatoken3d.evaluation.calibration.GreedyAgreement;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.pruning.Calibration;
import org.adatoken3d.pruning.CalibrationSample;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;

/**
 * {@code bench quality}: pruning quality on a trained text model. Seeded sampled stories become prompts whose
 * middle span is treated as the prunable block; AdaToken (gate layer from calibration on other stories, dynamic tau
 * budget), FastV-style ranking (K=2, last token) and random pruning at the same per-input budget are compared with
 * the unpruned model: mean KL of next-token distributions along the unpruned greedy continuation (teacher-forced),
 * top-1 agreement there, and agreement of the greedy continuations themselves.
 *
 * @param stories evaluation prompts
 * @param calibrationStories prompts used to choose the gate layer
 * @param storyTokens tokens per prompt after BOS
 * @param block the prunable span
 * @param tokens continuation tokens compared
 * @param query AdaToken's query rows
 * @param taus AdaToken's tau values, one table row each
 * @param kvBudgetBytes the KV budget of each run
 */
public record QualityBench(int stories, int calibrationStories, int storyTokens, SpatialBlock block, int tokens, QuerySet query, double[] taus,
        long kvBudgetBytes) {

    /** Runs and prints the table, a row per tau as it is measured. */
    public void run(Llava3d llava, PrintStream out) {
        Model m = llava.model();
        int layers = m.config().numLayers();
        List<CalibrationSample> samples = new ArrayList<>();
        for (Prompt p : stories(llava, calibrationStories, 1000)) samples.add(llava.measure(p, query));
        Calibration calibration = new Calibration(m.directory().getFileName().toString(), m.config().family().name(), m.decoderShape(), query, samples);
        int k = Math.min(calibration.gateLayer(), layers - 1);
        out.printf(Locale.ROOT, "AdaToken query rows: %s%n", query.spec());
        out.printf(Locale.ROOT, "calibration on %d other stories: rank stability per layer %s -> gate layer K=%d%n", calibrationStories,
                Arrays.toString(Arrays.stream(calibration.stability()).map(v -> Math.round(v * 1000) / 1000.0).toArray()), k);

        List<Prompt> prompts = stories(llava, stories, 1);
        List<int[]> references = new ArrayList<>();
        List<float[][]> referenceLogits = new ArrayList<>();
        for (Prompt p : prompts) {
            int[] greedy = greedy(llava, p, new GatePolicy.NoPruning());
            references.add(greedy);
            referenceLogits.add(Fidelity.trace(m.decoder(), p, new GatePolicy.NoPruning(), greedy, kvBudgetBytes).logits());
        }
        out.printf(Locale.ROOT, "%d prompts of %d tokens, prunable span [%d, %d) of %d tokens, %d continuation tokens%n", stories, storyTokens + 1,
                block.start(), block.end(), block.count(), tokens);
        out.printf(Locale.ROOT, "%-6s %7s | %-24s | %-24s | %-24s%n", "tau", "kept", "AdaToken  KL  top1  greedy", "FastV-rank KL top1 greedy",
                "random    KL  top1  greedy");
        for (double tau : taus) {
            double kept = 0;
            double[][] score = new double[3][3];
            for (int i = 0; i < prompts.size(); i++) {
                Prompt p = prompts.get(i);
                GatePolicy ada = new GatePolicy.AdaptiveGate(k, tau, 1, GatePolicy.AdaptiveGate.UNBOUNDED, query);
                Fidelity.Trace a = Fidelity.trace(m.decoder(), p, ada, references.get(i), kvBudgetBytes);
                int keep = a.keepSet().keptCount();
                kept += (double) keep / block.count();
                GatePolicy fastv = new GatePolicy.KeepRatio(2, (double) keep / block.count());
                GatePolicy random = new GatePolicy.RandomGate(k, 17 + i, ada);
                GatePolicy[] gates = {ada, fastv, random};
                for (int g = 0; g < 3; g++) {
                    float[][] logits = g == 0 ? a.logits() : Fidelity.trace(m.decoder(), p, gates[g], references.get(i), kvBudgetBytes).logits();
                    score[g][0] += Fidelity.meanKl(referenceLogits.get(i), logits);
                    score[g][1] += Fidelity.top1Agreement(referenceLogits.get(i), logits);
                    score[g][2] += GreedyAgreement.of(references.get(i), greedy(llava, p, gates[g]));
                }
            }
            int n = prompts.size();
            out.printf(Locale.ROOT, "%-6.3f %6.1f%% |", tau, 100 * kept / n);
            for (double[] s : score) out.printf(Locale.ROOT, " %8.4f %5.1f%% %5.1f%% |", s[0] / n, 100 * s[1] / n, 100 * s[2] / n);
            out.println();
        }
        out.println("KL: mean KL(unpruned || pruned) in nats; top1: argmax agreement along the unpruned continuation;");
        out.println("greedy: share of the greedy continuation identical to the unpruned one before the first difference.");
    }

    private int[] greedy(Llava3d llava, Prompt prompt, GatePolicy gate) {
        return llava.ask(prompt, gate, GenerationOptions.exactly(tokens), null, null).ids();
    }

    /** Seeded sampled stories (temperature 1) from BOS, each {@code storyTokens} long, with the span as the block. */
    private List<Prompt> stories(Llava3d llava, int count, int firstSeed) {
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SamplingParams sampling = new SamplingParams(1.0, 0, 1, 1, firstSeed + i, List.of());
            int[] story = llava.ask(Prompt.text(new int[] {1}), new GatePolicy.NoPruning(), new GenerationOptions(sampling, storyTokens, false),
                    null, null).ids();
            int[] ids = new int[story.length + 1];
            ids[0] = 1;
            System.arraycopy(story, 0, ids, 1, story.length);
            prompts.add(new Prompt(ids, block, null));
        }
        return prompts;
    }
}
