package org.adatoken3d.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.evaluation.calibration.Fidelity;
import org.adatoken3d.evaluation.calibration.GreedyAgreement;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.pruning.Calibration;
import org.adatoken3d.pruning.CalibrationSample;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "quality", mixinStandardHelpOptions = true,
        description = {"Pruning quality on a trained model: AdaToken vs FastV ranking vs random.",
                "",
                "Pruning quality on a trained text model: seeded sampled stories become prompts whose middle span "
                + "is treated as the prunable block. AdaToken (gate layer from calibration on other stories, dynamic tau "
                + "budget), FastV-style ranking (K=2, last token) and random, at the same per-input budget, are compared "
                + "with the unpruned model: mean KL of next-token distributions along the unpruned greedy continuation "
                + "(teacher-forced), top-1 agreement there, and agreement of the greedy continuations themselves."})
final class BenchQualityCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--stories", defaultValue = "24", paramLabel = "N", converter = Ranges.Count.class, description = "Evaluation prompts (default: ${DEFAULT-VALUE}).")
    int stories;

    @Option(names = "--calibration-stories", defaultValue = "8", paramLabel = "N", converter = Ranges.Count.class, description = "Prompts used to choose the gate layer (default: ${DEFAULT-VALUE}).")
    int calibrationStories;

    @Option(names = "--story-tokens", defaultValue = "200", paramLabel = "N", converter = Ranges.Tokens.class, description = "Tokens per prompt (default: ${DEFAULT-VALUE}).")
    int storyTokens;

    @Option(names = "--span", defaultValue = "16:160", description = "The prunable block START:END in prompt tokens (default: ${DEFAULT-VALUE}).")
    String span;

    @Option(names = "--tokens", defaultValue = "24", paramLabel = "N", converter = Ranges.Tokens.class, description = "Continuation tokens compared (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--query", defaultValue = "instruction", description = "AdaToken's query rows: instruction (every token after the block) | last (default: ${DEFAULT-VALUE}).")
    String query;

    @Option(names = "--taus", defaultValue = "0.001,0.01,0.05,0.1,0.2", split = ",", paramLabel = "T", converter = Ranges.Share.class, description = "AdaToken tau values (default: ${DEFAULT-VALUE}).")
    double[] taus;

    @Override
    public void run() {
        String[] se = span.split(":", -1);
        int start, end;
        try {
            if (se.length != 2) throw new NumberFormatException();
            start = Integer.parseInt(se[0].strip());
            end = Integer.parseInt(se[1].strip());
        } catch (NumberFormatException e) {
            throw new UserException("--span must be START:END in prompt tokens, e.g. 16:160, got " + span);
        }
        if (start < 1 || end <= start) throw new UserException("--span must have 1 <= START < END (token 0 is BOS), got " + span);
        SpatialBlock block = new SpatialBlock(start, end - start);
        if (block.end() >= storyTokens) throw new UserException("--span must end before --story-tokens");
        QuerySet q = QuerySet.parse(query);
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            int layers = m.config().numLayers();
            List<Prompt> calibrationPrompts = stories(llava, calibrationStories, 1000, block);
            List<CalibrationSample> samples = new ArrayList<>();
            for (Prompt p : calibrationPrompts) samples.add(llava.measure(p, q));
            Calibration calibration = new Calibration(m.directory().getFileName().toString(), m.config().family().name(),
                    m.decoderShape(), q, samples);
            int k = Math.min(calibration.gateLayer(), layers - 1);
            System.out.printf("AdaToken query rows: %s%n", q.spec());
            System.out.printf("calibration on %d other stories: rank stability per layer %s -> gate layer K=%d%n", calibrationStories,
                    Arrays.toString(Arrays.stream(calibration.stability()).map(v -> Math.round(v * 1000) / 1000.0).toArray()), k);

            List<Prompt> prompts = stories(llava, stories, 1, block);
            List<int[]> references = new ArrayList<>();
            List<float[][]> referenceLogits = new ArrayList<>();
            for (Prompt p : prompts) {
                int[] greedy = greedy(llava, p, new GatePolicy.NoPruning());
                references.add(greedy);
                referenceLogits.add(Fidelity.trace(m.decoder(), p, new GatePolicy.NoPruning(), greedy, model.kvBudgetBytes()).logits());
            }
            System.out.printf("%d prompts of %d tokens, prunable span [%d, %d) of %d tokens, %d continuation tokens%n", stories, storyTokens + 1,
                    block.start(), block.end(), block.count(), tokens);
            System.out.printf("%-6s %7s | %-24s | %-24s | %-24s%n", "tau", "kept", "AdaToken  KL  top1  greedy", "FastV-rank KL top1 greedy",
                    "random    KL  top1  greedy");
            for (double tau : taus) {
                double kept = 0;
                double[][] score = new double[3][3];
                for (int i = 0; i < prompts.size(); i++) {
                    Prompt p = prompts.get(i);
                    GatePolicy ada = new GatePolicy.AdaptiveGate(k, tau, 1, GatePolicy.AdaptiveGate.UNBOUNDED, q);
                    Fidelity.Trace a = Fidelity.trace(m.decoder(), p, ada, references.get(i), model.kvBudgetBytes());
                    int keep = a.keepSet().keptCount();
                    kept += (double) keep / block.count();
                    GatePolicy fastv = new GatePolicy.KeepRatio(2, (double) keep / block.count());
                    GatePolicy random = new GatePolicy.RandomGate(k, 17 + i, ada);
                    GatePolicy[] gates = {ada, fastv, random};
                    for (int g = 0; g < 3; g++) {
                        float[][] logits = g == 0 ? a.logits()
                                : Fidelity.trace(m.decoder(), p, gates[g], references.get(i), model.kvBudgetBytes()).logits();
                        score[g][0] += Fidelity.meanKl(referenceLogits.get(i), logits);
                        score[g][1] += Fidelity.top1Agreement(referenceLogits.get(i), logits);
                        score[g][2] += GreedyAgreement.of(references.get(i), greedy(llava, p, gates[g]));
                    }
                }
                int n = prompts.size();
                System.out.printf("%-6.3f %6.1f%% |", tau, 100 * kept / n);
                for (double[] s : score) System.out.printf(" %8.4f %5.1f%% %5.1f%% |", s[0] / n, 100 * s[1] / n, 100 * s[2] / n);
                System.out.println();
            }
            System.out.println("KL: mean KL(unpruned || pruned) in nats; top1: argmax agreement along the unpruned continuation;");
            System.out.println("greedy: share of the greedy continuation identical to the unpruned one before the first difference.");
        }
    }

    /** Seeded sampled stories (temperature 1) from BOS, each {@code storyTokens} long, with the span as the block. */
    private int[] greedy(Llava3d llava, Prompt prompt, GatePolicy gate) {
        return llava.ask(prompt, gate, GenerationOptions.exactly(tokens), null, null).ids();
    }

    private List<Prompt> stories(Llava3d llava, int count, int firstSeed, SpatialBlock block) {
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
